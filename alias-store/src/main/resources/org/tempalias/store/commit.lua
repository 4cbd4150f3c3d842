-- The last check before the final dot goes upstream: the claim must still be held and its alias
-- still exist. A held claim becomes committed: from now on only a settlement ends it, and
-- without one the use counts as spent once ARGV[2] ms have passed (see purge).
-- ARGV[1] claim id, ARGV[2] hold in ms
-- Returns 0 gone (the alias), 1 lapsed (the claim is not held: lease passed, settled, unknown),
--         2 committed.
local now = now_ms()
if not purge(now) then
  return 0
end
local deadline = now + tonumber(ARGV[2])
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 and not redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  return 1
end
redis.call('ZADD', KEYS[3], string.format('%d', deadline), ARGV[1])
-- Unlike the claims set, this one must outlive its deadlines: a lapsed commit must be seen (and
-- spent) by purge, not vanish with the key. It goes with the alias, or when its entries do.
local expires = tonumber(redis.call('HGET', KEYS[1], 'expires'))
if expires > 0 then
  redis.call('PEXPIREAT', KEYS[3], string.format('%d', expires))
end
return 2
