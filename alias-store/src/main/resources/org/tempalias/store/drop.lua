-- The alias's target refused aliases: a waiting alias of it is deleted (one that forwards stays).
-- KEYS alias:{id}, :claims, :commits, :cancelled; ARGV[1] the target hash
-- Returns 1 when it was deleted.
if redis.call('HGET', KEYS[1], 'th') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'pending') ~= '1' then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
