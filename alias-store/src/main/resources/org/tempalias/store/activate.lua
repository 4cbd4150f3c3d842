-- The alias's target confirmed: the alias forwards from now on and lives to its own limit.
-- KEYS[1] alias:{id} (the other keys of the alias are passed but not touched)
-- ARGV[1] the target hash the confirmation is for
-- Returns 1 when the alias forwards now (or already did), 0 when it is gone or of another target.
if redis.call('HGET', KEYS[1], 'th') ~= ARGV[1] then
  return 0
end
if redis.call('HGET', KEYS[1], 'pending') == '1' then
  redis.call('HDEL', KEYS[1], 'pending', 'waituntil')
  local expires = tonumber(redis.call('HGET', KEYS[1], 'expires'))
  if expires > 0 then
    redis.call('PEXPIREAT', KEYS[1], string.format('%d', expires))
  else
    redis.call('PERSIST', KEYS[1])
  end
end
return 1
