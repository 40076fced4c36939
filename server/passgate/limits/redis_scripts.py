"""The Redis limits store's operations, each one Lua script: one round trip,
atomic against every other client, timed by Redis's own clock (`TIME`), so
replicas whose clocks differ share one budget.

They follow passgate/limits/arithmetic.py step for step (the contract tests
in tests/limits/test_store_contract.py hold every store to the same answers).
Numbers go back to Redis through string.format: Lua's own conversion keeps 14
digits, too few for epoch microseconds.
"""

from __future__ import annotations

# KEYS: the budgets' keys; ARGV: each budget's interval and period (µs) and
# the calls to charge it (a lease; one where that many no longer fit), in turn.
# Every budget is charged, or none: all are checked before any is written.
# Answers {0, calls charged to each budget…} when charged, else {the refusing
# budget's 1-based index, µs until one call would pass}. A budget's key
# expires when its tat has passed, when a missing key means the same (a full
# budget).
CHARGE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tats, granted = {}, {0}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[3 * i - 2])
  local period = tonumber(ARGV[3 * i - 1])
  local calls = tonumber(ARGV[3 * i])
  local start = tonumber(redis.call('GET', key) or now)
  if start < now then start = now end
  local tat = start + interval * calls
  if tat - now > period and calls > 1 then
    calls = 1
    tat = start + interval
  end
  if tat - now > period then
    return {i, tat - period - now}
  end
  tats[i] = tat
  granted[i + 1] = calls
end
for i, key in ipairs(KEYS) do
  local ms = math.ceil((tats[i] - now) / 1000)
  redis.call('SET', key, string.format('%.0f', tats[i]), 'PX', string.format('%.0f', ms))
end
return granted
"""

# The throttle rules shared by ADMIT and SETTLE. A throttle is a hash: f
# failures, b blocked_until, l last_failure, n in_flight, u in_flight_until
# (seconds on Redis's clock). ARGV[1..4]: the policy's free, first, longest,
# forget_after.
_THROTTLE = """
local free, first, longest, forget_after =
  tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000

local function fmt(x) return string.format('%.17g', x) end

local function read(key)
  local v = redis.call('HMGET', key, 'f', 'b', 'l', 'n', 'u')
  if not v[1] then return nil end
  return {f = tonumber(v[1]), b = tonumber(v[2]), l = tonumber(v[3]),
          n = tonumber(v[4]), u = tonumber(v[5])}
end

-- arithmetic.current: a lapsed in-flight lease frees its slots, and a quiet
-- forget_after wipes a count whose delay is over.
local function current(r)
  if not r then return 0, 0, 0 end
  local failures, blocked, in_flight = r.f, r.b, r.n
  if r.u <= now then in_flight = 0 end
  if r.l < now - forget_after and blocked <= now then failures, blocked = 0, 0 end
  return failures, blocked, in_flight
end

local function delay(failures)
  if failures <= free then return 0 end
  return math.min(longest, first * 2 ^ math.min(failures - free - 1, 40))
end

local function open_slots(failures)
  if failures <= free then return free + 1 - failures end
  return 1
end

-- the record, expiring when it stops mattering (ThrottleRecord.expires_at)
local function write(key, r)
  local forgotten, held = 0, 0
  if r.f > 0 then forgotten = r.l + forget_after end
  if r.n > 0 then held = r.u end
  local expires = math.max(r.b, forgotten, held)
  redis.call('HSET', key, 'f', string.format('%d', r.f), 'b', fmt(r.b), 'l', fmt(r.l),
             'n', string.format('%d', r.n), 'u', fmt(r.u))
  redis.call('PEXPIREAT', key, string.format('%.0f', math.ceil(expires * 1000)))
end
"""

# KEYS[1]: the throttle; ARGV[5]: the in-flight lease (seconds). Answers {1}
# when admitted, {0, seconds} while a delay runs, {0, '0'} while every open
# slot is held (arithmetic.admit).
ADMIT = (
    _THROTTLE
    + """
local r = read(KEYS[1])
local failures, blocked, in_flight = current(r)
local wait = blocked - now
if wait > 1e-6 then return {0, fmt(wait)} end
if in_flight >= open_slots(failures) then return {0, '0'} end
local last_failure = 0
if r then last_failure = r.l end
write(KEYS[1], {f = failures, b = blocked, l = last_failure, n = in_flight + 1,
                u = now + tonumber(ARGV[5])})
return {1}
"""
)

# KEYS[1]: the throttle; ARGV[5]: '1' failed, '0' succeeded, '' no verdict.
# Answers the state after it: {failures, blocked_until, in_flight} (arithmetic.settle).
SETTLE = (
    _THROTTLE
    + """
local r = read(KEYS[1])
local failures, blocked, in_flight = current(r)
in_flight = math.max(0, in_flight - 1)
local last_failure = 0
if r then last_failure = r.l end
if ARGV[5] == '0' then
  failures, blocked = 0, 0
elseif ARGV[5] == '1' and blocked <= now then
  failures = failures + 1
  local d = delay(failures)
  blocked = 0
  if d > 0 then blocked = now + d end
  last_failure = now
end
if failures == 0 and in_flight == 0 then
  redis.call('DEL', KEYS[1])
else
  local in_flight_until = 0
  if r then in_flight_until = r.u end
  write(KEYS[1], {f = failures, b = blocked, l = last_failure, n = in_flight, u = in_flight_until})
end
return {failures, fmt(blocked), in_flight}
"""
)
