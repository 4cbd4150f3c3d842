-- Read an alias with the number of live claims, in one consistent step (read-only: claims
-- whose lease passed are not counted, the next claim or settle purges them).
-- KEYS[1] alias:{id}, KEYS[2] alias:{id}:claims
-- Returns nil when there is no such alias,
-- else {target, created, expires, max, left, forwarded, ukey, live claims}.
local a = redis.call('HMGET', KEYS[1], 'target', 'created', 'expires', 'max', 'left', 'forwarded', 'ukey')
if not a[1] then
  return false
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
a[8] = redis.call('ZCOUNT', KEYS[2], string.format('(%d', now), '+inf')
return a
