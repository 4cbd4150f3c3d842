-- Start a live claim's lease again (its transaction is still alive).
-- ARGV[1] claim id, ARGV[2] lease in ms
-- Returns 0 gone (the alias), 1 lapsed (the claim is not held), 2 held.
local now = now_ms()
if not purge(now) then
  return 0
end
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  return 2 -- committed: waits for its settlement, no lease to renew
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return 1
end
local deadline = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], 'XX', string.format('%d', deadline), ARGV[1])
keep_until(KEYS[2], deadline)
return 2
