-- Shared by the per-alias scripts that change claims (prepended by Script.withClaims).
-- KEYS[1] alias:{id}          hash: target, created, expires, max, left, forwarded, ukey, th,
--                              and when set: pending, senders, lock, note
-- KEYS[2] alias:{id}:claims   claim id -> lease deadline (epoch ms): uses held by live transactions
-- KEYS[3] alias:{id}:commits  claim id -> settle deadline: claims whose final dot may have gone out
-- KEYS[4] alias:{id}:cancelled claim id -> forget-after: ids their caller released before it heard
--                              the claim's answer (a late CLAIM with such an id is refused)

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Spends n uses; false when that was the last one (the alias and its sets are deleted).
local function spend(n)
  redis.call('HINCRBY', KEYS[1], 'forwarded', n)
  if tonumber(redis.call('HGET', KEYS[1], 'max')) > 0 then
    if redis.call('HINCRBY', KEYS[1], 'left', -n) <= 0 then
      redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
      return false
    end
  end
  return true
end

-- Lazy bookkeeping, first thing in every script: a lapsed claim gives its use back; a lapsed
-- commit spends it (the final dot went out and nobody settled: the message may have been
-- delivered, and never more than max deliveries is the rule); old cancellations are forgotten.
-- False when the alias is gone.
local function purge(now)
  if redis.call('EXISTS', KEYS[1]) == 0 then
    return false
  end
  local bound = string.format('%d', now)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', bound)
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', bound)
  local unsettled = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', bound)
  if unsettled > 0 then
    return spend(unsettled)
  end
  return true
end

-- A set lives at least until the deadline just written into it; for the claims and cancelled
-- sets, expiring with their last entry is exactly what purge would do.
local function keep_until(key, deadline)
  local pttl = redis.call('PTTL', key)
  if pttl < 0 or pttl < deadline - now_ms() then
    redis.call('PEXPIREAT', key, string.format('%d', deadline))
  end
end

local function uses_held()
  return redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
end


-- A sender lock (SenderLock): the sender's domain is one of the space-separated allowed domains
-- or a subdomain of one. The null sender ('') is never allowed.
local function sender_allowed(domain, allowed)
  if domain == '' then
    return false
  end
  for d in string.gmatch(allowed, '%S+') do
    if domain == d or (#domain > #d + 1 and string.sub(domain, -(#d + 1)) == '.' .. d) then
      return true
    end
  end
  return false
end
