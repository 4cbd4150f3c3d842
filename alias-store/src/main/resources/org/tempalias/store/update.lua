-- Renew an alias: new limits counted from now, in one step with the claims it holds.
-- ARGV[1] SHA-256 of the update key (comparing hashes with == leaks nothing about the key),
-- ARGV[2] lifetime from now in ms ('' = unchanged, '0' = no time limit),
-- ARGV[3] uses left from now ('' = unchanged, '0' = no use limit)
-- Returns 0 no such alias, 1 wrong key, 2 no limit would remain, 3 updated.
local now = now_ms()
if not purge(now) then
  return 0
end
local a = redis.call('HMGET', KEYS[1], 'ukey', 'expires', 'max', 'forwarded', 'pending', 'waituntil')
if a[1] ~= ARGV[1] then
  return 1
end
local expires = tonumber(a[2])
local max = tonumber(a[3])
local left = nil
if ARGV[2] ~= '' then
  local lifetime = tonumber(ARGV[2])
  expires = lifetime > 0 and now + lifetime or 0
end
if ARGV[3] ~= '' then
  local uses = tonumber(ARGV[3])
  if uses > 0 then
    -- Exactly this many more deliveries: the ones in progress are among them (claim.lua
    -- subtracts held uses from 'left'), and one that fails gives its use back to these.
    left = uses
    max = tonumber(a[4]) + uses
  else
    max = 0
    left = 0
  end
end
if expires == 0 and max == 0 then
  return 2
end
redis.call('HSET', KEYS[1], 'expires', string.format('%d', expires), 'max', string.format('%d', max))
if left then
  redis.call('HSET', KEYS[1], 'left', string.format('%d', left))
end
local gone = expires
if a[5] == '1' and a[6] then
  -- Still waiting for its target: the end of that wait still bounds it (activate.lua lifts it).
  local wait = tonumber(a[6])
  if gone == 0 or wait < gone then
    gone = wait
  end
end
if gone > 0 then
  redis.call('PEXPIREAT', KEYS[1], string.format('%d', gone))
else
  redis.call('PERSIST', KEYS[1])
end
-- Committed claims must be seen by purge for as long as the alias lives (commit.lua).
if redis.call('EXISTS', KEYS[3]) == 1 then
  if expires > 0 then
    redis.call('PEXPIREAT', KEYS[3], string.format('%d', expires))
  else
    redis.call('PERSIST', KEYS[3])
  end
end
return 3
