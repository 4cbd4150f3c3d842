-- A new alias waits for its target: remember it, and say whether a confirmation mail is due
-- (at most one per resend interval, at most a few a day: nobody can mail-bomb through us).
-- KEYS[1] target:{hash}, KEYS[2] target:{hash}:pending (alias ids waiting)
-- ARGV[1] alias id, ARGV[2] the wait in ms, ARGV[3] resend interval ms, ARGV[4] mails per day
-- Returns {-1} blocked, {2} confirmed meanwhile, {1, 1} waiting and a mail is due, {1, 0} waiting.
local t = redis.call('HMGET', KEYS[1], 'state', 'until', 'mailAt', 'dayStart', 'dayCount')
local tm = redis.call('TIME')
local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
if t[1] == 'blocked' then
  return {-1}
end
if t[1] == 'confirmed' and tonumber(t[2]) > now then
  return {2}
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
local dayStart = tonumber(t[4] or 0)
local dayCount = tonumber(t[5] or 0)
if now - dayStart >= 86400000 then
  dayStart = now
  dayCount = 0
end
local due = 0
if (not t[3] or now - tonumber(t[3]) >= tonumber(ARGV[3])) and dayCount < tonumber(ARGV[4]) then
  due = 1
  dayCount = dayCount + 1
  redis.call('HSET', KEYS[1], 'mailAt', string.format('%d', now))
end
redis.call('HSET', KEYS[1], 'dayStart', string.format('%d', dayStart), 'dayCount', dayCount)
if t[1] ~= 'confirmed' then
  -- Only the mail counters are kept for an undecided target: for a day, or the wait if longer.
  local keep = math.max(86400000, tonumber(ARGV[2]))
  redis.call('PEXPIRE', KEYS[1], keep)
end
return {1, due}
