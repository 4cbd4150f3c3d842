-- Count one event in a fixed window that starts with the window's first event.
-- KEYS[1] the counter, ARGV[1] window length in ms
-- Returns the number of events in the current window, this one included.
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
