-- Where a target stands. KEYS[1] target:{hash}
-- Returns 'confirmed' (and not past its validity), 'blocked', or 'none'.
local t = redis.call('HMGET', KEYS[1], 'state', 'until')
if t[1] == 'blocked' then
  return 'blocked'
end
if t[1] == 'confirmed' then
  local now = redis.call('TIME')
  if tonumber(t[2]) > tonumber(now[1]) * 1000 then
    return 'confirmed'
  end
end
return 'none'
