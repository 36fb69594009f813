/**
 * The Lua scripts of the Redis limiter store: the maths of `leaky-bucket.ts` and `limiter-store.ts`
 * (`blockFromObservation`), each operation one script, so it is atomic on the server. Time is the
 * server's (`TIME`) unless the caller passes its own (ARGV[1], the store's `timeSource: 'caller'`), so
 * hosts with skewed clocks agree. Absolute times cross the boundary as offsets from "now" (the caller
 * converts them to and from its own clock); numbers are stored with 17 significant digits.
 *
 * Bucket hash: level, updated, refused, slowdown. Method hash: operating, reset, observed, blocked
 * (reset and blocked absent when unknown).
 */

const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
end
local function number(value) return string.format('%.17g', value) end
local key = KEYS[1]
local now = clock()
`;

/** ARGV: now | '', rate, burst, headroom, refusal slowdown factor, refusal cooldown ms. */
const BUCKET = `${PRELUDE}
local rate, burst, headroom = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local factor, cooldown = tonumber(ARGV[5]), tonumber(ARGV[6])
local stored = redis.call('HMGET', key, 'level', 'updated', 'refused', 'slowdown')
local level, updated, refused, slowdown = 0, now, 0, 1
if stored[1] then
  level, updated, refused, slowdown = tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3]), tonumber(stored[4])
end
local cooling = refused > 0 and now - refused < cooldown
local effective = rate
if cooling then effective = rate * slowdown end
local drained = math.max(0, level - math.max(0, now - updated) / 1000 * effective)
local function save(newLevel, newRefused, newSlowdown)
  redis.call('HSET', key, 'level', number(newLevel), 'updated', number(now), 'refused', number(newRefused), 'slowdown', number(newSlowdown))
  -- Idle keys go: a few times the time a full (or over-reserved) bucket needs to drain, plus the cooldown.
  redis.call('PEXPIRE', key, math.ceil(3 * math.max(newLevel, burst) / rate * 1000 + cooldown))
end
`;

/** Returns the delay (ms, integer) before the reserved request may be sent. */
export const RESERVE_SCRIPT = `${BUCKET}
local capacity = math.max(1, burst - headroom)
local excess = drained + 1 - capacity
local delay = 0
if excess > 0 then delay = math.ceil(excess / effective * 1000) end
save(drained + 1, refused, slowdown)
return delay
`;

export const RELEASE_SCRIPT = `${BUCKET}
save(math.max(0, drained - 1), refused, slowdown)
return 0
`;

export const REFUSAL_SCRIPT = `${BUCKET}
local previous = 1
if cooling then previous = slowdown end
save(math.max(drained, burst), now, math.max(0.05, previous * factor))
return 0
`;

const METHOD = `${PRELUDE}
local stored = redis.call('HMGET', key, 'operating', 'reset', 'observed', 'blocked')
local operating, reset, observed, blocked = tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3]), tonumber(stored[4])
local function save(newOperating, newReset, newObserved, newBlocked)
  redis.call('HSET', key, 'operating', number(newOperating), 'observed', number(newObserved))
  if newReset then redis.call('HSET', key, 'reset', number(newReset)) else redis.call('HDEL', key, 'reset') end
  if newBlocked then redis.call('HSET', key, 'blocked', number(newBlocked)) else redis.call('HDEL', key, 'blocked') end
  -- Kept while a block or reset lies ahead, and one operating window (10 min) beyond.
  redis.call('PEXPIRE', key, math.ceil(math.max(0, (newBlocked or now) - now, (newReset or now) - now) + 600000))
end
`;

/** ARGV: now | '', operating seconds, reset offset ms | '', limit seconds, fallback block ms. */
export const OBSERVE_SCRIPT = `${METHOD}
local seen = tonumber(ARGV[2])
local seenReset = nil
if ARGV[3] ~= '' then seenReset = now + tonumber(ARGV[3]) end
local limit, fallback = tonumber(ARGV[4]), tonumber(ARGV[5])
local block = nil
if limit > 0 and seen >= limit then
  if seenReset and seenReset > now then block = seenReset else block = now + fallback end
end
local kept = nil
if blocked and blocked > now then kept = blocked end
local newBlocked = kept
if block then newBlocked = math.max(block, kept or 0) end
save(seen, seenReset or reset, now, newBlocked)
return 0
`;

/** ARGV: now | '', block-until offset ms. */
export const BLOCK_SCRIPT = `${METHOD}
save(operating or 0, reset, observed or now, math.max(now + tonumber(ARGV[2]), blocked or 0))
return 0
`;

/** ARGV: now | ''. Returns nil, or operating and the reset, observed and blocked offsets from now (false when unknown). */
export const STATE_SCRIPT = `${METHOD}
if not operating then return nil end
local function offset(value) if value then return number(value - now) end return false end
return { number(operating), offset(reset), offset(observed), offset(blocked) }
`;
