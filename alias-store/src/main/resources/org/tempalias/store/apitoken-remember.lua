-- An alias made with an API token joins the token's list (the newest ARGV[3] are kept).
-- KEYS[1] apitoken:{hash}, KEYS[2] apitoken:{hash}:aliases
-- ARGV[1] alias id, ARGV[2] created (epoch ms), ARGV[3] how many to keep
-- Returns 0 when the token was revoked meanwhile (nothing listed), else 1.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
return 1
