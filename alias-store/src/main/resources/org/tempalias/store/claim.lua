-- Hold one use of an alias for a mail transaction until it is settled or its lease runs out.
-- KEYS[1] alias:{id}, KEYS[2] alias:{id}:claims (claim id -> lease deadline, epoch ms)
-- ARGV[1] new claim id, ARGV[2] lease in ms
-- Returns {0} unknown (no such alias: never created, expired, used up or deleted),
--         {1} busy (every remaining use is held by a live claim: the outcome is still open),
--         {2, target} claimed.
local a = redis.call('HMGET', KEYS[1], 'target', 'max', 'left', 'expires')
if not a[1] then
  return {0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- A claim whose holder never settled it gives its use back here, lazily.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now))
if tonumber(a[2]) > 0 then
  local live = redis.call('ZCARD', KEYS[2])
  if tonumber(a[3]) - live <= 0 then
    if live > 0 then
      return {1}
    end
    return {0}
  end
end
local deadline = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], string.format('%d', deadline), ARGV[1])
local expires = tonumber(a[4])
if expires > 0 then
  redis.call('PEXPIREAT', KEYS[2], string.format('%d', expires))
else
  -- No time limit on the alias: the claims set lives at least as long as its latest lease.
  local pttl = redis.call('PTTL', KEYS[2])
  if pttl < 0 or now + pttl < deadline then
    redis.call('PEXPIREAT', KEYS[2], string.format('%d', deadline))
  end
end
return {2, a[1]}
