// tempalias web page: create an alias, remember it in this browser, show its live status, extend
// or delete it.
// Plain DOM, no build step. Everything that comes from the user or the server reaches the page
// through textContent or attributes, never through innerHTML.
'use strict';

(() => {
  // Relative, so the page keeps working when a proxy serves the service under a path prefix.
  const API = 'aliases';
  const STORAGE_KEY = 'tempalias.aliases.v1';
  const REQUEST_TIMEOUT_MS = 15000;
  const STATUS_REFRESH_MS = 60000;
  const CLOCK_TICK_MS = 30000;
  const COPIED_RESET_MS = 2000;

  const $ = (id) => document.getElementById(id);

  const ui = {
    form: $('create-form'),
    target: $('target'),
    days: $('days'),
    uses: $('uses'),
    limits: $('limits'),
    targetError: $('target-error'),
    limitsError: $('limits-error'),
    formError: $('form-error'),
    createButton: $('create-button'),
    banner: $('banner'),
    bannerText: $('banner-text'),
    bannerDismiss: $('banner-dismiss'),
    result: $('result'),
    resultHeading: $('result-heading'),
    resultAddress: $('result-address'),
    resultCopy: $('result-copy'),
    resultTarget: $('result-target'),
    resultExpiry: $('result-expiry'),
    resultUses: $('result-uses'),
    resultPending: $('result-pending'),
    resultPendingTarget: $('result-pending-target'),
    list: $('alias-list'),
    listEmpty: $('aliases-empty'),
    listHeading: $('aliases-heading'),
    refresh: $('refresh'),
    announcer: $('announcer'),
    dialog: $('confirm-dialog'),
    confirmAddress: $('confirm-address'),
    confirmError: $('confirm-error'),
    confirmCancel: $('confirm-cancel'),
    confirmDelete: $('confirm-delete'),
    tokenDialog: $('token-dialog'),
    tokenTarget: $('token-target'),
    tokenValue: $('token-value'),
    tokenDomain: $('token-domain'),
    tokenServer: $('token-server'),
    tokenCopy: $('token-copy'),
    tokenClose: $('token-close'),
  };

  // ---------------------------------------------------------------- small DOM helpers

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'className') node.className = value;
      else if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  let announceTimer = 0;
  // Clearing first and writing a moment later makes screen readers announce a repeated message too.
  function announce(message) {
    clearTimeout(announceTimer);
    ui.announcer.textContent = '';
    announceTimer = setTimeout(() => { ui.announcer.textContent = message; }, 60);
  }

  // ---------------------------------------------------------------- time and numbers

  const absoluteFormat = new Intl.DateTimeFormat(undefined, {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
  });
  const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'always' });

  function parseTime(iso) {
    if (typeof iso !== 'string' || iso === '') return null;
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? ms : null;
  }

  function relative(ms) {
    const diff = ms - Date.now();
    const abs = Math.abs(diff);
    const minute = 60000, hour = 60 * minute, day = 24 * hour;
    if (abs < minute) return diff >= 0 ? 'in less than a minute' : 'just now';
    if (abs < 2 * hour) return relativeFormat.format(Math.round(diff / minute), 'minute');
    if (abs < 2 * day) return relativeFormat.format(Math.round(diff / hour), 'hour');
    return relativeFormat.format(Math.round(diff / day), 'day');
  }

  // The clock tick rewrites only these spans, so a periodic update never rebuilds the list under
  // a screen reader's virtual cursor.
  function relativeSpan(ms) {
    return h('span', { 'data-until': String(ms) }, relative(ms));
  }

  function updateRelativeTimes() {
    for (const span of document.querySelectorAll('span[data-until]')) {
      span.textContent = relative(Number(span.dataset.until));
    }
  }

  function timeElement(ms) {
    return h('time', { datetime: new Date(ms).toISOString() }, absoluteFormat.format(ms));
  }

  // The API says "no limit" as 0, -1 or null depending on the field; all mean the same here.
  function limitOrNull(value) {
    const n = typeof value === 'string' ? Number(value) : value;
    return Number.isFinite(n) && n > 0 ? n : null;
  }

  function countOrNull(value) {
    const n = typeof value === 'string' ? Number(value) : value;
    return Number.isFinite(n) && n >= 0 ? n : null;
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  // ---------------------------------------------------------------- storage

  let storageWorks = true;

  function isEntry(e) {
    return e && typeof e.aid === 'string' && typeof e.address === 'string' && typeof e.key === 'string';
  }

  function loadEntries() {
    try {
      const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]');
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch (e) {
      storageWorks = false;
      return [];
    }
  }

  let entries = loadEntries();

  function saveEntries() {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(entries));
      storageWorks = true;
    } catch (e) {
      storageWorks = false;
    }
  }

  // ---------------------------------------------------------------- the API

  class ApiError extends Error {
    constructor(status, code, description) {
      super(description || code);
      this.status = status;
      this.code = code;
      this.description = description;
    }
  }

  async function request(method, path, { body, key } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers.Authorization = `Bearer ${key}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'same-origin',
        signal: abort.signal,
      });
    } catch (e) {
      throw new ApiError(0, 'network', '');
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      const text = await response.text();
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      const code = data && typeof data.error === 'string' ? data.error : `http-${response.status}`;
      const description = data && typeof data.description === 'string' ? data.description : '';
      throw new ApiError(response.status, code, description);
    }
    return data;
  }

  // ---------------------------------------------------------------- errors on the form

  const fieldErrors = [
    { input: ui.target, box: ui.targetError },
    { input: ui.days, box: ui.limitsError },
    { input: ui.uses, box: ui.limitsError },
  ];

  function clearErrors() {
    for (const { input, box } of fieldErrors) {
      input.removeAttribute('aria-invalid');
      box.hidden = true;
      box.textContent = '';
    }
    ui.limits.classList.remove('has-error');
    ui.formError.hidden = true;
    ui.formError.textContent = '';
    hideBanner();
  }

  function showFieldError(box, inputs, message) {
    box.textContent = message;
    box.hidden = false;
    for (const input of inputs) input.setAttribute('aria-invalid', 'true');
  }

  function showBanner(message) {
    ui.bannerText.textContent = message;
    ui.banner.hidden = false;
    ui.banner.scrollIntoView({ block: 'nearest' });
  }

  function hideBanner() {
    ui.banner.hidden = true;
    ui.bannerText.textContent = '';
  }

  function sentence(text) {
    const t = text.trim().replace(/[.\s]+$/, '');
    return t ? `${t.charAt(0).toUpperCase()}${t.slice(1)}.` : '';
  }

  function limitMessage(description, aboutDays, aboutUses) {
    const cap = /at most (\d+)/i.exec(description);
    if (aboutDays && aboutUses) return 'Set at least one limit: a number of days, a number of messages, or both.';
    if (cap && aboutDays) return `An alias can last at most ${cap[1]} days.`;
    if (cap && aboutUses) return `An alias can forward at most ${cap[1]} messages.`;
    if (aboutDays) return 'Enter the number of days as a whole number, like 7 — or leave it empty.';
    if (aboutUses) return 'Enter the number of messages as a whole number, like 10 — or leave it empty.';
    return sentence(description) || 'Check the limits: whole numbers, at least one of them set.';
  }

  const TARGET_HELP = 'Check it for typos — it should look like you@example.org.';

  // Every API error lands next to what the person can fix: the address, the limits, or (when
  // nothing on the form is wrong) the button or the banner. Focus goes to the first field to fix,
  // whose aria-describedby makes the screen reader read the message with it.
  function showApiError(err) {
    const description = err.description || '';
    switch (err.code) {
      case 'invalid-data': {
        const aboutDays = /\bdays?\b/i.test(description);
        const aboutUses = /usage|\buses?\b|messages?/i.test(description);
        if (aboutDays || aboutUses || /\blimit/i.test(description)) {
          const inputs = [aboutDays && ui.days, aboutUses && ui.uses].filter(Boolean);
          const marked = inputs.length ? inputs : [ui.days, ui.uses];
          showFieldError(ui.limitsError, marked, limitMessage(description, aboutDays, aboutUses));
          marked[0].focus();
        } else {
          // The API names what is wrong with the address ("the domain needs at least one dot");
          // that is more use to a person than a generic "invalid".
          const reason = description.replace(/^the target address\s+/i, 'it ');
          showFieldError(ui.targetError, [ui.target], reason
            ? `This address can't be used: ${reason.replace(/[.\s]+$/, '')}.`
            : `This address can't be used. ${TARGET_HELP}`);
          ui.target.focus();
        }
        return;
      }
      case 'too-much-data':
        showFieldError(ui.targetError, [ui.target], 'This address is too long. Addresses can have at most 254 characters.');
        ui.target.focus();
        return;
      case 'rate-limited':
        ui.formError.textContent = 'You have created several aliases in a short time. Please wait a minute, then try again.';
        ui.formError.hidden = false;
        return;
      case 'network':
        showBanner('Could not reach tempalias. Check your internet connection and try again — what you typed is still here.');
        return;
      default:
        if (err.status >= 500 || err.code === 'server-error') {
          showBanner('tempalias is temporarily unavailable, so no alias was created. Please try again in a few minutes.');
        } else {
          showBanner(`Something went wrong and no alias was created (${err.code}). Please reload the page and try again.`);
        }
    }
  }

  // ---------------------------------------------------------------- creating an alias

  // Empty means "no limit on this side"; anything else has to be a whole number. Caps are the
  // server's to enforce (they are configurable), so its answer is shown as it comes.
  function readLimit(input) {
    const raw = input.value.trim();
    if (raw === '') return 0;
    return /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  }

  function validateForm() {
    const target = ui.target.value.trim();
    const days = readLimit(ui.days);
    const uses = readLimit(ui.uses);
    let firstInvalid = null;
    if (target === '') {
      showFieldError(ui.targetError, [ui.target], 'Enter the email address the alias should forward to.');
      firstInvalid = ui.target;
    } else if (!/^[^\s@]+@[^\s@]+$/.test(target)) {
      showFieldError(ui.targetError, [ui.target], `That is not an email address. ${TARGET_HELP}`);
      firstInvalid = ui.target;
    }
    const badNumbers = [Number.isNaN(days) && ui.days, Number.isNaN(uses) && ui.uses].filter(Boolean);
    if (badNumbers.length) {
      showFieldError(ui.limitsError, badNumbers, 'Use whole numbers, like 7 — or leave a box empty for no limit on that side.');
      firstInvalid = firstInvalid || badNumbers[0];
    } else if (days === 0 && uses === 0) {
      showFieldError(ui.limitsError, [ui.days, ui.uses], 'Set at least one limit: a number of days, a number of messages, or both.');
      firstInvalid = firstInvalid || ui.days;
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return null;
    }
    return { target, days, uses };
  }

  let creating = false;

  function setCreating(on) {
    creating = on;
    ui.createButton.textContent = on ? 'Creating…' : 'Create alias';
    if (on) ui.createButton.setAttribute('aria-disabled', 'true');
    else ui.createButton.removeAttribute('aria-disabled');
  }

  async function onSubmit(event) {
    event.preventDefault();
    if (creating) return;
    clearErrors();
    const input = validateForm();
    if (!input) return;
    setCreating(true);
    try {
      const created = await request('POST', API, {
        body: { target: input.target, days: input.days, 'max-usage': input.uses },
      });
      onCreated(created);
    } catch (err) {
      if (err instanceof ApiError) showApiError(err);
      else showBanner('Something unexpected went wrong. Please reload the page and try again.');
    } finally {
      setCreating(false);
    }
  }

  function onCreated(created) {
    if (!created || typeof created.aid !== 'string' || typeof created.address !== 'string' ||
        typeof created.updatekey !== 'string') {
      showBanner('The server answered in a way this page does not understand. Please reload and try again.');
      return;
    }
    const maxUsage = limitOrNull(created.max_usage);
    const entry = {
      aid: created.aid,
      address: created.address,
      target: typeof created.target === 'string' ? created.target : ui.target.value.trim(),
      key: created.updatekey,
      validUntil: parseTime(created.valid_until) === null ? null : created.valid_until,
      maxUsage,
      createdAt: new Date().toISOString(),
      // Older servers say nothing of confirmation: their aliases forward at once.
      state: created.confirmed === false ? 'pending' : 'active',
      usesLeft: maxUsage,
      forwarded: 0,
      checkedAt: new Date().toISOString(),
    };
    entries = [entry, ...entries.filter((e) => e.aid !== entry.aid)];
    saveEntries();
    showResult(entry);
    renderList();
    announce(`Alias created: ${entry.address}.${storageWorks ? '' : ' This browser does not allow saving it in the list, so note it down.'}`);
    ui.resultHeading.focus();
  }

  let shownAid = null;

  function showResult(entry) {
    shownAid = entry.aid;
    ui.resultAddress.textContent = entry.address;
    ui.resultTarget.textContent = entry.target;
    ui.resultExpiry.replaceChildren(...expiryNodes(entry));
    ui.resultUses.textContent = entry.maxUsage === null ? 'No limit' : String(entry.usesLeft ?? entry.maxUsage);
    ui.resultPending.hidden = entry.state !== 'pending';
    ui.resultPendingTarget.textContent = entry.target;
    resetCopyButton(ui.resultCopy);
    ui.result.hidden = false;
  }

  function expiryNodes(entry) {
    const until = parseTime(entry.validUntil);
    if (until === null) return ['No time limit'];
    return [relativeSpan(until), h('span', { className: 'absolute' }, timeElement(until))];
  }

  // ---------------------------------------------------------------- copy

  function legacyCopy(text) {
    const area = h('textarea', { readonly: true, 'aria-hidden': 'true', tabindex: '-1', className: 'visually-hidden' });
    area.value = text;
    document.body.append(area);
    const active = document.activeElement;
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (e) {
      ok = false;
    }
    area.remove();
    if (active && typeof active.focus === 'function') active.focus();
    return ok;
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (e) {
        // Permission refused or document not focused: the older path may still work.
      }
    }
    return legacyCopy(text);
  }

  function resetCopyButton(button) {
    clearTimeout(button.resetTimer);
    button.classList.remove('copied');
    button.firstChild.textContent = 'Copy';
  }

  async function onCopy(button, text, selectable) {
    const ok = await copyText(text);
    if (ok) {
      button.classList.add('copied');
      button.firstChild.textContent = 'Copied';
      announce(`Copied ${text} to the clipboard.`);
      clearTimeout(button.resetTimer);
      button.resetTimer = setTimeout(() => resetCopyButton(button), COPIED_RESET_MS);
    } else {
      if (selectable) {
        const range = document.createRange();
        range.selectNodeContents(selectable);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      announce('Copying is blocked in this browser. The address is selected: press Control+C, or Command+C on a Mac.');
    }
  }

  // ---------------------------------------------------------------- the list

  const STATES = {
    checking: { badge: 'Checking…', tone: '' },
    unknown: { badge: 'Status unknown', tone: 'problem' },
    active: { badge: 'Active', tone: 'active' },
    pending: { badge: 'Waiting for confirmation', tone: 'problem' },
    expired: { badge: 'Expired', tone: 'gone' },
    'used-up': { badge: 'Used up', tone: 'gone' },
    deleted: { badge: 'Deleted', tone: 'gone' },
    forbidden: { badge: 'Key not accepted', tone: 'problem' },
  };

  function isGone(entry) {
    return entry.state === 'expired' || entry.state === 'used-up' || entry.state === 'deleted' ||
      entry.state === 'forbidden';
  }

  function statusText(entry) {
    switch (entry.state) {
      case 'expired': return 'Its time ran out; mail to it is refused.';
      case 'used-up': return 'All its messages were forwarded; mail to it is refused.';
      case 'deleted': return 'It was deleted; mail to it is refused.';
      case 'forbidden': return 'The key saved in this browser was not accepted for this alias.';
      case 'pending': return 'A link went to the target; mail waits until it is confirmed.';
      default: break;
    }
    const parts = [];
    if (entry.maxUsage === null || entry.maxUsage === undefined) parts.push('No message limit');
    else parts.push(`${entry.usesLeft ?? entry.maxUsage} of ${plural(entry.maxUsage, 'message', 'messages')} left`);
    if (entry.forwarded > 0) parts.push(`${plural(entry.forwarded, 'message', 'messages')} forwarded`);
    return parts.join(' · ');
  }

  function expiryLine(entry) {
    if (isGone(entry)) return null;
    const until = parseTime(entry.validUntil);
    if (until === null) return h('span', { className: 'expiry' }, 'No time limit');
    return h('span', { className: 'expiry' }, 'Expires ', relativeSpan(until), ' · ', timeElement(until));
  }

  function copyButton(text, small, selectable) {
    const button = h('button', { type: 'button', className: `button secondary copy${small ? ' small' : ''}` },
      h('span', null, 'Copy'), h('span', { className: 'visually-hidden' }, ` ${text}`));
    button.addEventListener('click', () => onCopy(button, text, selectable));
    return button;
  }

  function renderEntry(entry) {
    const state = STATES[entry.state] || STATES.checking;
    // A heading per alias lets a screen reader jump from one alias to the next.
    const address = h('h3', { className: 'alias-address' }, entry.address);
    const statusLine = h('p', { className: 'alias-status' },
      h('span', { className: `badge ${state.tone}` }, state.badge),
      h('span', null, statusText(entry)),
      entry.stale ? h('span', { className: 'stale' }, '(could not check just now)') : null);
    const expiry = expiryLine(entry);
    const actions = h('div', { className: 'alias-actions' });
    if (isGone(entry)) {
      const remove = h('button', { type: 'button', className: 'button quiet small' },
        'Remove from list', h('span', { className: 'visually-hidden' }, ` ${entry.address}`));
      remove.addEventListener('click', () => removeEntry(entry.aid, `Removed ${entry.address} from the list.`));
      actions.append(remove);
    } else {
      const del = h('button', { type: 'button', className: 'button quiet small', 'data-action': 'delete' },
        'Delete', h('span', { className: 'visually-hidden' }, ` ${entry.address}`));
      del.addEventListener('click', () => openConfirm(entry, del));
      const token = entry.state === 'active'
        ? h('button', { type: 'button', className: 'button quiet small', 'data-action': 'token' },
          h('span', null, 'API token'), h('span', { className: 'visually-hidden' }, ` for ${entry.target}`))
        : null;
      if (token) token.addEventListener('click', () => issueToken(entry, token));
      const extend = h('button', { type: 'button', className: 'button secondary small', 'data-action': 'extend' },
        h('span', null, 'Extend'), h('span', { className: 'visually-hidden' }, ` ${entry.address}`));
      extend.addEventListener('click', () => extendAlias(entry, extend));
      actions.append(copyButton(entry.address, true, address), extend, ...(token ? [token] : []), del);
    }
    return h('li', { className: `alias${isGone(entry) ? ' is-gone' : ''}`, 'data-aid': entry.aid, 'data-state': entry.state || 'checking' },
      h('div', { className: 'alias-main' },
        address,
        h('p', { className: 'alias-meta' }, `Forwards to ${entry.target}`),
        statusLine,
        expiry ? h('p', { className: 'alias-meta' }, expiry) : null),
      actions);
  }

  let renderedSignature = '';

  function signature() {
    return JSON.stringify(entries.map((e) =>
      [e.aid, e.state, e.usesLeft, e.maxUsage, e.forwarded, e.validUntil, e.target, Boolean(e.stale)]));
  }

  // Re-rendering replaces the buttons, so the focused one is found again by alias and action.
  function renderList() {
    renderedSignature = signature();
    const active = document.activeElement;
    const focusedItem = active && active.closest ? active.closest('li[data-aid]') : null;
    const focusKey = focusedItem && ui.list.contains(focusedItem)
      ? { aid: focusedItem.dataset.aid, index: [...focusedItem.querySelectorAll('button')].indexOf(active) }
      : null;
    ui.list.replaceChildren(...entries.map(renderEntry));
    ui.listEmpty.hidden = entries.length > 0;
    ui.refresh.hidden = !entries.some((e) => !isGone(e));
    if (focusKey) {
      const item = ui.list.querySelector(`li[data-aid="${CSS.escape(focusKey.aid)}"]`);
      const buttons = item ? item.querySelectorAll('button') : [];
      const target = buttons[Math.min(Math.max(focusKey.index, 0), buttons.length - 1)];
      if (target) target.focus();
    }
    if (shownAid && !entries.some((e) => e.aid === shownAid)) {
      ui.result.hidden = true;
      shownAid = null;
    }
  }

  function removeEntry(aid, message) {
    entries = entries.filter((e) => e.aid !== aid);
    saveEntries();
    renderList();
    ui.listHeading.focus();
    announce(message);
  }

  function goneState(entry) {
    const until = parseTime(entry.validUntil);
    if (until !== null && until <= Date.now() + 5000) return 'expired';
    // An alias with a use limit that is gone before its time most likely used its last message.
    return entry.maxUsage ? 'used-up' : 'deleted';
  }

  // What GET and PATCH answer, onto the entry this browser keeps.
  function applyStatus(entry, status) {
    entry.state = status && status.confirmed === false ? 'pending' : 'active';
    entry.stale = false;
    if (!status) return;
    if (typeof status.target === 'string') entry.target = status.target;
    if ('valid_until' in status) entry.validUntil = parseTime(status.valid_until) === null ? null : status.valid_until;
    if ('max_usage' in status) entry.maxUsage = limitOrNull(status.max_usage);
    entry.usesLeft = entry.maxUsage === null ? null : countOrNull(status.uses_left);
    entry.forwarded = countOrNull(status.forwarded) || 0;
    if (status.caps && typeof status.caps === 'object') {
      entry.caps = { days: limitOrNull(status.caps.days), uses: limitOrNull(status.caps['max-usage']) };
    }
  }

  async function checkStatus(entry) {
    try {
      applyStatus(entry, await request('GET', `${API}/${encodeURIComponent(entry.aid)}`, { key: entry.key }));
    } catch (err) {
      if (err.status === 404) entry.state = goneState(entry);
      else if (err.status === 403) entry.state = 'forbidden';
      else {
        entry.stale = true;
        if (entry.state === 'checking') entry.state = 'unknown';
      }
    }
    entry.checkedAt = new Date().toISOString();
  }

  // ---------------------------------------------------------------- extend

  const EXTEND_DAYS = 7;
  const EXTEND_USES = 10;
  const DAY_MS = 24 * 60 * 60 * 1000;

  // A timed alias gets a week more than it has left, an untimed one ten more messages; both
  // within the server's caps (which each status says).
  function extension(entry) {
    const caps = entry.caps || {};
    const until = parseTime(entry.validUntil);
    if (until !== null) {
      const daysLeft = Math.max(0, Math.ceil((until - Date.now()) / DAY_MS));
      return { days: Math.min(daysLeft + EXTEND_DAYS, caps.days || Infinity) };
    }
    const left = entry.usesLeft ?? 0;
    return { 'max-usage': Math.min(left + EXTEND_USES, caps.uses || Infinity) };
  }

  async function extendAlias(entry, button) {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    button.firstChild.textContent = 'Extending…';
    const change = extension(entry);
    try {
      const status = await request('PATCH', `${API}/${encodeURIComponent(entry.aid)}`, { key: entry.key, body: change });
      const kept = entries.find((e) => e.aid === entry.aid) || entry;
      applyStatus(kept, status);
      kept.checkedAt = new Date().toISOString();
      saveEntries();
      renderList();
      const until = parseTime(kept.validUntil);
      announce(until !== null && 'days' in change
        ? `Extended ${kept.address}: it now expires ${relative(until)}.`
        : `Extended ${kept.address}: ${plural(kept.usesLeft ?? 0, 'message', 'messages')} left.`);
    } catch (err) {
      button.removeAttribute('aria-disabled');
      button.firstChild.textContent = 'Extend';
      if (err.status === 404) {
        entry.state = goneState(entry);
        saveEntries();
        renderList();
        announce(`${entry.address} has ended and cannot be extended.`);
      } else {
        showBanner(err.status === 0
          ? 'Could not reach tempalias. Check your connection and try again.'
          : err.status === 403
            ? 'The key saved in this browser was not accepted, so this alias cannot be extended from here.'
            : err.status >= 500
              ? 'tempalias could not extend the alias just now. Please try again in a moment.'
              : `tempalias did not extend the alias: ${sentence(err.description || err.code)}`);
      }
    }
  }

  let refreshing = null;

  function refreshAll(announceDone) {
    if (refreshing) return refreshing;
    const live = entries.filter((e) => !isGone(e));
    refreshing = Promise.all(live.map(checkStatus)).then(() => {
      refreshing = null;
      // Another tab may have changed the list meanwhile; keep its entries and our new states.
      const fresh = new Map(live.map((e) => [e.aid, e]));
      entries = loadEntriesOr(entries).map((e) => fresh.get(e.aid) || e);
      saveEntries();
      if (signature() !== renderedSignature) renderList();
      const shown = shownAid && entries.find((e) => e.aid === shownAid);
      if (shown && isGone(shown)) {
        // The list says why it ended; a "new alias" card for a dead address would mislead.
        const hadFocus = ui.result.contains(document.activeElement);
        ui.result.hidden = true;
        shownAid = null;
        if (hadFocus) ui.listHeading.focus();
      } else if (shown) {
        ui.resultUses.textContent = shown.maxUsage === null ? 'No limit' : String(shown.usesLeft ?? shown.maxUsage);
      }
      if (announceDone) {
        const stale = live.filter((e) => e.stale).length;
        announce(stale ? 'Could not reach tempalias to check every alias. Showing what is known.' : 'Status updated.');
      }
    });
    return refreshing;
  }

  function loadEntriesOr(fallback) {
    return storageWorks ? loadEntries() : fallback;
  }

  // ---------------------------------------------------------------- API token for a password manager

  let tokenOpener = null;

  // The page's own URL without the file name: what a password manager calls (a proxy prefix too).
  function serverUrl() {
    return new URL('.', window.location.href).href.replace(/\/$/, '');
  }

  async function issueToken(entry, button) {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    try {
      const issued = await request('POST', `${API}/${encodeURIComponent(entry.aid)}/token`, { key: entry.key });
      ui.tokenTarget.textContent = issued.target;
      ui.tokenValue.textContent = issued.token;
      ui.tokenDomain.textContent = issued.domain;
      ui.tokenServer.textContent = serverUrl();
      resetCopyButton(ui.tokenCopy);
      tokenOpener = button;
      if (typeof ui.tokenDialog.showModal === 'function') ui.tokenDialog.showModal();
      else ui.tokenDialog.setAttribute('open', '');
      ui.tokenCopy.focus();
    } catch (err) {
      showBanner(err.code === 'target-unconfirmed'
        ? 'The target has not confirmed yet. Once it has, you can get a token here.'
        : err.status === 0
          ? 'Could not reach tempalias. Check your connection and try again.'
          : err.status === 403
            ? 'The key saved in this browser was not accepted for this alias.'
            : 'tempalias could not issue a token just now. Please try again in a moment.');
    } finally {
      button.removeAttribute('aria-disabled');
    }
  }

  function closeTokenDialog() {
    // The token is shown once: it leaves the page with the dialog.
    ui.tokenValue.textContent = '';
    if (ui.tokenDialog.open) ui.tokenDialog.close();
    if (tokenOpener && document.body.contains(tokenOpener)) tokenOpener.focus();
    tokenOpener = null;
  }

  // ---------------------------------------------------------------- delete with confirmation

  let pendingDelete = null;

  function openConfirm(entry, opener) {
    if (typeof ui.dialog.showModal !== 'function') {
      // Browsers without <dialog> still get a confirmation, just a plainer one.
      if (window.confirm(`Delete ${entry.address}? Mail to it will be refused from now on.`)) {
        deleteAlias(entry, opener);
      }
      return;
    }
    pendingDelete = { entry, opener };
    ui.confirmAddress.textContent = entry.address;
    ui.confirmError.hidden = true;
    ui.confirmError.textContent = '';
    setDeleting(false);
    ui.dialog.showModal();
    ui.confirmCancel.focus();
  }

  function setDeleting(on) {
    ui.confirmDelete.textContent = on ? 'Deleting…' : 'Delete alias';
    if (on) ui.confirmDelete.setAttribute('aria-disabled', 'true');
    else ui.confirmDelete.removeAttribute('aria-disabled');
  }

  function closeConfirm() {
    const opener = pendingDelete && pendingDelete.opener;
    pendingDelete = null;
    if (ui.dialog.open) ui.dialog.close();
    if (opener && opener.isConnected) opener.focus();
  }

  async function deleteAlias(entry, inDialog) {
    try {
      await request('DELETE', `${API}/${encodeURIComponent(entry.aid)}`, { key: entry.key });
    } catch (err) {
      // Already gone on the server is what the person wanted anyway.
      if (err.status !== 404) {
        const message = err.status === 403
          ? 'The key saved in this browser was not accepted, so this alias cannot be deleted from here.'
          : err.status === 0
            ? 'Could not reach tempalias. Check your connection and try again.'
            : 'tempalias could not delete the alias just now. Please try again in a moment.';
        if (inDialog === true) {
          ui.confirmError.textContent = message;
          ui.confirmError.hidden = false;
        } else {
          showBanner(message);
        }
        return false;
      }
    }
    removeEntry(entry.aid, `Deleted ${entry.address}. Mail to it is now refused.`);
    return true;
  }

  async function onConfirmDelete() {
    if (!pendingDelete || ui.confirmDelete.getAttribute('aria-disabled') === 'true') return;
    const { entry } = pendingDelete;
    setDeleting(true);
    ui.confirmError.hidden = true;
    const done = await deleteAlias(entry, true);
    setDeleting(false);
    if (done) {
      pendingDelete = null;
      ui.dialog.close();
      ui.listHeading.focus();
    }
  }

  // ---------------------------------------------------------------- wiring

  ui.form.addEventListener('submit', onSubmit);
  ui.target.addEventListener('input', () => {
    ui.target.removeAttribute('aria-invalid');
    ui.targetError.hidden = true;
  });
  for (const input of [ui.days, ui.uses]) {
    input.addEventListener('input', () => {
      ui.days.removeAttribute('aria-invalid');
      ui.uses.removeAttribute('aria-invalid');
      ui.limitsError.hidden = true;
    });
  }
  ui.bannerDismiss.addEventListener('click', () => {
    hideBanner();
    ui.createButton.focus();
  });
  ui.resultCopy.addEventListener('click', () => {
    if (shownAid) onCopy(ui.resultCopy, ui.resultAddress.textContent, ui.resultAddress);
  });
  ui.refresh.addEventListener('click', () => refreshAll(true));
  ui.confirmCancel.addEventListener('click', closeConfirm);
  ui.confirmDelete.addEventListener('click', onConfirmDelete);
  ui.tokenCopy.addEventListener('click', () => onCopy(ui.tokenCopy, ui.tokenValue.textContent, ui.tokenValue));
  ui.tokenClose.addEventListener('click', closeTokenDialog);
  ui.tokenDialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    closeTokenDialog();
  });
  // Escape closes a modal <dialog> by itself; put focus back where the person was.
  ui.dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    closeConfirm();
  });
  window.addEventListener('storage', (event) => {
    if (event.key === STORAGE_KEY) {
      entries = loadEntries();
      renderList();
    }
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshAll(false);
  });

  const copySpan = h('span', null, 'Copy');
  ui.resultCopy.replaceChildren(copySpan, h('span', { className: 'visually-hidden' }, ' alias'));

  // What was last seen may be days old: until the server answers, say so instead of "Active".
  for (const entry of entries) {
    if (!isGone(entry)) entry.state = 'checking';
  }
  renderList();
  if (!storageWorks) {
    $('aliases-note').textContent = 'This browser does not allow this page to save data, so aliases you create are only listed until you leave the page.';
  }
  refreshAll(false);
  setInterval(() => refreshAll(false), STATUS_REFRESH_MS);
  setInterval(updateRelativeTimes, CLOCK_TICK_MS);
})();
