-- An API token is used: its record, and its idle time starts again (its list's with it).
-- KEYS[1] apitoken:{hash}, KEYS[2] apitoken:{hash}:aliases
-- ARGV[1] idle ms
-- Returns false for an unknown (revoked, idle too long) token, else {target hash, target, lifetime, max}.
local a = redis.call('HMGET', KEYS[1], 'th', 'target', 'lifetime', 'max')
if not a[1] then
  return false
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
return a
