-- A new API token (by the SHA-256 of the token): whose it is and the limits of its aliases. It
-- lives while it is used: every use starts its idle time again (apitoken-use.lua).
-- KEYS[1] apitoken:{hash}
-- ARGV[1] target hash, ARGV[2] target, ARGV[3] lifetime ms, ARGV[4] max uses, ARGV[5] idle ms
-- Returns the creation time (epoch ms).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'th', ARGV[1], 'target', ARGV[2], 'lifetime', ARGV[3], 'max', ARGV[4],
  'created', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return now
