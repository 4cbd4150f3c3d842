-- Create an alias unless its id is taken (the caller retries with a new id; never overwrite).
-- KEYS[1] alias:{id}
-- ARGV[1] target, ARGV[2] lifetime in ms (0 = none), ARGV[3] max uses (0 = none),
-- ARGV[4] SHA-256 of the update key (hex), ARGV[5] the target's keyed hash,
-- ARGV[6] how long the alias may wait for its target to confirm, in ms (0 = it need not),
-- ARGV[7] allowed sender domains, space-separated ('' = any), ARGV[8] '1' for a first-sender lock,
-- ARGV[9] the owner's description ('' = none)
-- Returns 0 when the id is taken, else {created, expires} in epoch ms (expires 0 = none).
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lifetime = tonumber(ARGV[2])
local expires = 0
if lifetime > 0 then
  expires = now + lifetime
end
redis.call('HSET', KEYS[1],
  'target', ARGV[1],
  'created', string.format('%d', now),
  'expires', string.format('%d', expires),
  'max', ARGV[3],
  'left', ARGV[3],
  'forwarded', 0,
  'ukey', ARGV[4],
  'th', ARGV[5])
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[1], 'senders', ARGV[7])
end
if ARGV[8] == '1' then
  redis.call('HSET', KEYS[1], 'lock', 'first')
end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[1], 'note', ARGV[9])
end
local gone = expires
local wait = tonumber(ARGV[6])
if wait > 0 then
  -- Waiting for the target: gone by itself when the wait is over, unless confirmed (activate.lua).
  redis.call('HSET', KEYS[1], 'pending', 1, 'waituntil', string.format('%d', now + wait))
  if gone == 0 or now + wait < gone then
    gone = now + wait
  end
end
if gone > 0 then
  redis.call('PEXPIREAT', KEYS[1], string.format('%d', gone))
end
return {now, expires}
