-- Hold one use of an alias for a mail transaction until it is committed and settled, or its lease
-- runs out.
-- ARGV[1] claim id (the caller's), ARGV[2] lease in ms, ARGV[3] the sender's domain ('' = null sender)
-- Returns {0} unknown (no such alias: never created, expired, used up or deleted),
--         {1} busy (every remaining use is held by a live claim: the outcome is still open),
--         {2, target} claimed,
--         {3} cancelled (the caller already released this claim id: it gave up waiting for us),
--         {4, target hash} the alias waits for its target to confirm,
--         {5} the alias's sender lock does not allow this sender (no use is taken).
local now = now_ms()
if not purge(now) then
  return {0}
end
if redis.call('ZSCORE', KEYS[4], ARGV[1]) then
  return {3}
end
local a = redis.call('HMGET', KEYS[1], 'target', 'max', 'left', 'pending', 'th', 'senders', 'lock', 'first')
if a[6] or a[7] == 'first' then
  -- Once set, the first sender's domain is the only one; before, any sender the list allows
  -- (any named one without a list) may be the first.
  local allowed = a[8] or a[6]
  if ARGV[3] == '' or (allowed and not sender_allowed(ARGV[3], allowed)) then
    return {5}
  end
end
if a[4] == '1' then
  return {4, a[5]}
end
local deadline = now + tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  -- The same request again (a retry): it holds its use already.
  redis.call('ZADD', KEYS[2], string.format('%d', deadline), ARGV[1])
  keep_until(KEYS[2], deadline)
  return {2, a[1]}
end
if tonumber(a[2]) > 0 then
  local held = uses_held()
  if tonumber(a[3]) - held <= 0 then
    if held > 0 then
      return {1}
    end
    return {0}
  end
end
redis.call('ZADD', KEYS[2], string.format('%d', deadline), ARGV[1])
keep_until(KEYS[2], deadline)
return {2, a[1]}
