-- The target decided, through a confirmation link.
-- KEYS[1] target:{hash}, KEYS[2] target:{hash}:pending
-- ARGV[1] 'confirm' or 'block', ARGV[2] for confirm: how long the confirmation lasts, in ms
-- Returns the ids of the aliases that were waiting (the caller activates or deletes them).
local tm = redis.call('TIME')
local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
if ARGV[1] == 'confirm' then
  local untilMs = now + tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'state', 'confirmed', 'until', string.format('%d', untilMs))
  redis.call('PEXPIREAT', KEYS[1], string.format('%d', untilMs))
else
  redis.call('HSET', KEYS[1], 'state', 'blocked')
  redis.call('HDEL', KEYS[1], 'until')
  redis.call('PERSIST', KEYS[1])
end
local waiting = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
return waiting
