-- Close a live claim: USED spends the use (and deletes the alias whose last use it was),
-- RELEASED gives it back.
-- KEYS[1] alias:{id}, KEYS[2] alias:{id}:claims
-- ARGV[1] claim id, ARGV[2] 'USED' or 'RELEASED'
-- Returns 0 when the claim was not open (unknown, already settled, lease passed, alias gone),
--         1 settled, 2 settled USED and that was the last use: the alias is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now))
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then
  return 0
end
if ARGV[2] ~= 'USED' then
  return 1
end
redis.call('HINCRBY', KEYS[1], 'forwarded', 1)
if tonumber(redis.call('HGET', KEYS[1], 'max')) > 0 then
  if redis.call('HINCRBY', KEYS[1], 'left', -1) <= 0 then
    redis.call('DEL', KEYS[1], KEYS[2])
    return 2
  end
end
return 1
