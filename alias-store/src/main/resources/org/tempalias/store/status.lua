-- Read an alias with the number of uses in flight, in one consistent step. Read-only: what purge
-- would do is computed, not written (the next claim or settle writes it): a lapsed claim is not
-- counted, a lapsed commit counts as spent.
-- KEYS[1] alias:{id}, KEYS[2] alias:{id}:claims, KEYS[3] alias:{id}:commits
-- Returns nil when there is no such alias (or its last use is spent),
-- else {target, created, expires, max, left, forwarded, ukey, uses in flight, pending, target hash,
--       allowed senders ('' = any; the first sender's domain once a first-sender lock is set),
--       lock ('first' or ''), note ('' = none)}.
local a = redis.call('HMGET', KEYS[1], 'target', 'created', 'expires', 'max', 'left', 'forwarded', 'ukey', 'pending', 'th',
  'senders', 'lock', 'note', 'first')
if not a[1] then
  return false
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local after = string.format('(%d', now)
local unsettled = redis.call('ZCOUNT', KEYS[3], '-inf', string.format('%d', now))
a[5] = tonumber(a[5]) - unsettled
a[6] = tonumber(a[6]) + unsettled
if tonumber(a[4]) > 0 and a[5] <= 0 then
  return false
end
local pending = a[8] == '1' and 1 or 0
local th = a[9] or ''
local senders, lock, note = a[13] or a[10] or '', a[11] or '', a[12] or ''
a[8] = redis.call('ZCOUNT', KEYS[2], after, '+inf') + redis.call('ZCOUNT', KEYS[3], after, '+inf')
a[9] = pending
a[10] = th
a[11] = senders
a[12] = lock
a[13] = note
return a
