-- One atomic step of Sluice's sliding window counter (see SlidingWindow.java): reads the current
-- and previous windows' counters of one descriptor and adds the hits to the current one — always
-- when not enforcing (shadow rules), else only when they fit under the limit.
-- KEYS[1]: the current window's counter; KEYS[2]: the previous window's counter
-- ARGV: hits, limit, window length (ms), elapsed time in the current window (ms), enforce (1 or 0)
-- Returns {current count (after adding), previous count, 1 if added else 0}.
local hits = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local elapsed = tonumber(ARGV[4])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[5] == '1' and previous * (window - elapsed) + (current + hits) * window > limit * window then
  return {current, previous, 0}
end
current = redis.call('INCRBY', KEYS[1], hits)
if current == hits then
  -- first hit of this window: keep it through the next window, where it is the previous one
  redis.call('PEXPIRE', KEYS[1], 2 * window + 1000)
end
return {current, previous, 1}
