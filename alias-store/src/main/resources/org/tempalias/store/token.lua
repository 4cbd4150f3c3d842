-- A confirmation link: its token's hash names a record of what it confirms, kept as long as the
-- aliases it was sent for may wait.
-- KEYS[1] confirm:{token hash}; ARGV target hash, alias id, created, expires, max, lifetime ms
local t = redis.call('TIME')
local untilMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[6])
redis.call('HSET', KEYS[1], 'th', ARGV[1], 'aid', ARGV[2], 'created', ARGV[3], 'expires', ARGV[4], 'max', ARGV[5],
  'until', string.format('%d', untilMs))
redis.call('PEXPIREAT', KEYS[1], string.format('%d', untilMs))
return 1
