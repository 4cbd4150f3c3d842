-- Close a claim, held or committed: USED spends the use (and deletes the alias whose last use it
-- was), RELEASED gives it back. RELEASED of a claim that is not open cancels its id, so that a
-- CLAIM with it that is still on its way (its caller stopped waiting) is refused when it comes.
-- ARGV[1] claim id, ARGV[2] 'USED' or 'RELEASED', ARGV[3] how long a cancellation is kept, in ms,
-- ARGV[4] the transaction's sender domain ('' = unknown or null sender): the first delivery of an
-- alias with a first-sender lock locks it to that domain
-- Returns 0 when the claim was not open (unknown, already settled, lease passed, alias gone),
--         1 settled, 2 settled USED and that was the last use: the alias is gone.
local now = now_ms()
if not purge(now) then
  return 0
end
local held = redis.call('ZREM', KEYS[2], ARGV[1]) + redis.call('ZREM', KEYS[3], ARGV[1])
if held == 0 then
  if ARGV[2] ~= 'USED' then
    local forget = now + tonumber(ARGV[3])
    redis.call('ZADD', KEYS[4], string.format('%d', forget), ARGV[1])
    keep_until(KEYS[4], forget)
  end
  return 0
end
if ARGV[2] ~= 'USED' then
  return 1
end
if not spend(1) then
  return 2
end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'lock') == 'first' then
  redis.call('HSETNX', KEYS[1], 'first', ARGV[4])
end
return 1
