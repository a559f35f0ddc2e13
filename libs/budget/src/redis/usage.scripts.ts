/**
 * Lua scripts of the usage controls. Each runs atomically in Redis, so concurrent gateways,
 * orchestrators and billing workers never interleave between a check and its update.
 *
 * Every key of one call carries the tenant as a hash tag (`{tenant}`): a script touches a single
 * cluster slot, including the keys it reads from a reservation record.
 *
 * Money is in integer nano-dollars. Lua numbers are doubles (exact to 2^53); `int()` formats them
 * for Redis without the scientific notation `tostring` would use above 1e14.
 *
 * Counter hash (one per scope, subject, period and window): `spent` (billed, from the ledger),
 * `held` (reserved or settled but not yet billed), `seeded` ("1" once `spent` was loaded from the
 * ledger). Reservation record hash: `state` (held → settled → billed, or released / expired),
 * `amount`, `tokens`, `counters` (space-separated counter keys), `keyc` (which API key counters,
 * `d` and/or `m`, are among them), `rl` (token-rate hashes).
 */

const COMMON = `
local function int(x) return string.format('%d', x) end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function counters_of(rec)
  local list = {}
  local text = redis.call('HGET', rec, 'counters')
  if text then for c in string.gmatch(text, '%S+') do list[#list + 1] = c end end
  return list
end
-- Removes a reservation's hold from the counters that still exist (expired windows are gone).
local function unhold(rec, amount)
  if amount == 0 then return end
  for _, c in ipairs(counters_of(rec)) do
    if redis.call('EXISTS', c) == 1 then redis.call('HINCRBY', c, 'held', int(-amount)) end
  end
end
local function add_spent(list, cost)
  if cost == 0 then return end
  for _, c in ipairs(list) do
    if redis.call('HGET', c, 'seeded') == '1' then redis.call('HINCRBY', c, 'spent', int(cost)) end
  end
end
-- Corrects a call's entry in the token-rate windows to what it really used.
local function retoken(rec, member, tokens)
  if tokens < 0 then return end
  local text = redis.call('HGET', rec, 'rl')
  if not text then return end
  for tok in string.gmatch(text, '%S+') do
    local old = redis.call('HGET', tok, member)
    if old then
      redis.call('HSET', tok, member, int(tokens))
      redis.call('HINCRBY', tok, '_sum', int(tokens - tonumber(old)))
    end
  end
end
`;

/**
 * KEYS: 1 reservation index (zset), 2 reservation record, 3..6 counters (user daily, user monthly,
 * tenant daily, tenant monthly), 7 key log, 8 key tokens, 9 user log, 10 user tokens,
 * 11..12 API key counters (daily, monthly).
 * ARGV: 1 reservation id, 2 estimate (nano), 3 estimated tokens, 4 reservation ttl ms,
 * 5..8 caps (nano, -1 none), 9..12 counter ttl s, 13 key rpm, 14 key tpm, 15 user rpm,
 * 16 user tpm (-1 none), 17 rate window ms, 18 record key prefix, 19 record grace ms,
 * 20..21 API key caps (daily, monthly; nano, -1 none), 22..23 API key counter ttl s.
 * Counter numbers in replies: 1..4 for KEYS 3..6, 5..6 for KEYS 11..12.
 * The API key's counters take part once seeded: a key with a cap must have them (else 'seed'); a
 * key without one keeps counting into counters that exist (so a cap set later starts right), and
 * creates none.
 * Returns {'seed', n...} | {'dup'} | {'rate', subject, dimension, limit, retry_ms}
 *       | {'budget', n, cap, spent, held} | {'ok', key rpm, key req left, key req reset,
 *         key tpm, key tok left, key tok reset, same six for the user} (-1 where no limit).
 */
export const ADMIT_SCRIPT = `${COMMON}
local now = now_ms()
local missing = {'seed'}
for i = 3, 6 do
  if redis.call('HGET', KEYS[i], 'seeded') ~= '1' then missing[#missing + 1] = i - 2 end
end
local active = {3, 4, 5, 6}
local keyc = {}
for i = 11, 12 do
  if redis.call('HGET', KEYS[i], 'seeded') == '1' then
    active[#active + 1] = i
    keyc[#keyc + 1] = (i == 11) and 'd' or 'm'
  elseif tonumber(ARGV[i + 9]) >= 0 then
    missing[#missing + 1] = i - 6
  end
end
if #missing > 1 then return missing end
local function cap_of(i) if i <= 6 then return tonumber(ARGV[i + 2]) end return tonumber(ARGV[i + 9]) end
local function ttl_of(i) if i <= 6 then return ARGV[i + 6] end return ARGV[i + 11] end
local function number_of(i) if i <= 6 then return i - 2 end return i - 6 end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'dup'} end

-- Reservations whose holder vanished (crash, lost connection) stop counting once they expire.
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(stale) do
  local rec = ARGV[18] .. id
  local state = redis.call('HGET', rec, 'state')
  if state == 'held' or state == 'settled' then
    unhold(rec, tonumber(redis.call('HGET', rec, 'amount') or '0'))
    redis.call('HSET', rec, 'state', 'expired')
  end
  redis.call('ZREM', KEYS[1], id)
end

local window = tonumber(ARGV[17])
local est_tokens = tonumber(ARGV[3])
local function usage_of(log, tok)
  local old = redis.call('ZRANGEBYSCORE', log, '-inf', now - window)
  if #old > 0 then
    local freed = 0
    for _, m in ipairs(old) do
      local v = redis.call('HGET', tok, m)
      if v then
        freed = freed + tonumber(v)
        redis.call('HDEL', tok, m)
      end
    end
    if freed ~= 0 then redis.call('HINCRBY', tok, '_sum', int(-freed)) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
  end
  return redis.call('ZCARD', log), tonumber(redis.call('HGET', tok, '_sum') or '0')
end
local function rate_check(log, tok, rpm, tpm, subject)
  if rpm < 0 and tpm < 0 then return nil, 0, 0 end
  local count, used = usage_of(log, tok)
  if rpm >= 0 and count + 1 > rpm then
    local retry = window
    local oldest = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
    if rpm > 0 and oldest[2] then retry = tonumber(oldest[2]) + window - now end
    return {'rate', subject, 'requests', rpm, retry}, count, used
  end
  if tpm >= 0 and est_tokens > 0 and used + est_tokens > tpm then
    local retry = window
    if est_tokens <= tpm then
      local need = used + est_tokens - tpm
      local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
      local freed = 0
      for j = 1, #entries, 2 do
        freed = freed + tonumber(redis.call('HGET', tok, entries[j]) or '0')
        if freed >= need then
          retry = tonumber(entries[j + 1]) + window - now
          break
        end
      end
    end
    return {'rate', subject, 'tokens', tpm, retry}, count, used
  end
  return nil, count, used
end

local key_rpm, key_tpm = tonumber(ARGV[13]), tonumber(ARGV[14])
local user_rpm, user_tpm = tonumber(ARGV[15]), tonumber(ARGV[16])
local refused, key_count, key_used = rate_check(KEYS[7], KEYS[8], key_rpm, key_tpm, 'api_key')
if refused then return refused end
local user_count, user_used
refused, user_count, user_used = rate_check(KEYS[9], KEYS[10], user_rpm, user_tpm, 'user')
if refused then return refused end

local estimate = tonumber(ARGV[2])
if estimate > 0 then
  for _, i in ipairs(active) do
    local cap = cap_of(i)
    if cap >= 0 then
      local spent = tonumber(redis.call('HGET', KEYS[i], 'spent') or '0')
      local held = tonumber(redis.call('HGET', KEYS[i], 'held') or '0')
      if spent + held + estimate > cap then return {'budget', number_of(i), cap, spent, held} end
    end
  end
end

-- Admitted: hold the estimate on every counter and record the call in the rate windows.
local held_on = {}
for _, i in ipairs(active) do
  redis.call('HINCRBY', KEYS[i], 'held', ARGV[2])
  redis.call('EXPIRE', KEYS[i], ttl_of(i))
  held_on[#held_on + 1] = KEYS[i]
end
local rl = {}
local function record_rate(log, tok, rpm, tpm)
  if rpm < 0 and tpm < 0 then return end
  redis.call('ZADD', log, now, ARGV[1])
  redis.call('HSET', tok, ARGV[1], ARGV[3])
  redis.call('HINCRBY', tok, '_sum', ARGV[3])
  redis.call('PEXPIRE', log, window + 1000)
  redis.call('PEXPIRE', tok, window + 1000)
  rl[#rl + 1] = tok
end
record_rate(KEYS[7], KEYS[8], key_rpm, key_tpm)
record_rate(KEYS[9], KEYS[10], user_rpm, user_tpm)
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[2], 'state', 'held', 'amount', ARGV[2], 'tokens', ARGV[3],
  'counters', table.concat(held_on, ' '), 'keyc', table.concat(keyc, ' '), 'rl', table.concat(rl, ' '))
redis.call('PEXPIRE', KEYS[2], ttl + tonumber(ARGV[19]))
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])

local function state_of(log, rpm, tpm, count, used)
  if rpm < 0 and tpm < 0 then return {-1, -1, -1, -1, -1, -1} end
  local reset = window
  local oldest = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
  if oldest[2] then reset = tonumber(oldest[2]) + window - now end
  local req_left, tok_left = -1, -1
  if rpm >= 0 then req_left = rpm - count - 1 end
  if tpm >= 0 then tok_left = math.max(0, tpm - used - est_tokens) end
  return {rpm, req_left, reset, tpm, tok_left, reset}
end
local out = {'ok'}
for _, v in ipairs(state_of(KEYS[7], key_rpm, key_tpm, key_count, key_used)) do out[#out + 1] = v end
for _, v in ipairs(state_of(KEYS[9], user_rpm, user_tpm, user_count, user_used)) do out[#out + 1] = v end
return out
`;

/**
 * Settles (actual > 0) or releases (actual = 0) a held reservation. A settled amount stays held
 * until billing commits the ledger entry, so nothing is spendable twice in between.
 * KEYS: 1 reservation index, 2 record. ARGV: 1 reservation id, 2 actual (nano), 3 actual tokens
 * (-1 keeps the estimate), 4 settled ttl ms, 5 record grace ms.
 * Returns the new state, or the unchanged one ('settled', 'billed', ...) or 'missing'.
 */
export const SETTLE_SCRIPT = `${COMMON}
local state = redis.call('HGET', KEYS[2], 'state')
if not state then return 'missing' end
if state ~= 'held' then return state end
local amount = tonumber(redis.call('HGET', KEYS[2], 'amount') or '0')
local actual = tonumber(ARGV[2])
unhold(KEYS[2], amount - actual)
retoken(KEYS[2], ARGV[1], tonumber(ARGV[3]))
if actual == 0 then
  redis.call('HSET', KEYS[2], 'state', 'released', 'amount', '0')
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 'released'
end
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[2], 'state', 'settled', 'amount', ARGV[2])
redis.call('ZADD', KEYS[1], now_ms() + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl + tonumber(ARGV[5]))
return 'settled'
`;

/**
 * Billing's commit of one ledger entry: moves a reservation's hold into `spent` at the billed
 * cost, or (no live reservation) adds the cost to the event's own counters. Idempotent: the
 * record is marked `billed` and kept for `marker ttl`, so a redelivered event changes nothing.
 * An API key counter the reservation did not hold on (seeded after its admission, when a cap was
 * set) gets the cost from the event's own key counters.
 * KEYS: 1 reservation index, 2 record (reservation or event marker), 3..8 the event's counters
 * (user daily, user monthly, tenant daily, tenant monthly, key daily, key monthly).
 * ARGV: 1 reservation id (index member), 2 cost (nano), 3 marker ttl ms.
 */
export const COMMIT_SCRIPT = `${COMMON}
local state = redis.call('HGET', KEYS[2], 'state')
if state == 'billed' then return 'duplicate' end
local cost = tonumber(ARGV[2])
local function key_rest(rec)
  local keyc = redis.call('HGET', rec, 'keyc') or ''
  local list = {}
  if not string.find(keyc, 'd', 1, true) then list[#list + 1] = KEYS[7] end
  if not string.find(keyc, 'm', 1, true) then list[#list + 1] = KEYS[8] end
  return list
end
if state == 'held' or state == 'settled' then
  unhold(KEYS[2], tonumber(redis.call('HGET', KEYS[2], 'amount') or '0'))
  add_spent(counters_of(KEYS[2]), cost)
  add_spent(key_rest(KEYS[2]), cost)
  redis.call('ZREM', KEYS[1], ARGV[1])
elseif state == 'expired' or state == 'released' then
  add_spent(counters_of(KEYS[2]), cost)
  add_spent(key_rest(KEYS[2]), cost)
else
  add_spent({KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]}, cost)
end
redis.call('HSET', KEYS[2], 'state', 'billed', 'amount', '0')
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 'billed'
`;

/**
 * Loads ledger totals into counters that were not seeded yet (new window, or Redis lost its data).
 * KEYS: counters. ARGV: per key, spent (nano) then ttl s. Returns how many were seeded.
 */
export const SEED_SCRIPT = `
local seeded = 0
for i, c in ipairs(KEYS) do
  if redis.call('HGET', c, 'seeded') ~= '1' then
    redis.call('HSET', c, 'spent', ARGV[2 * i - 1], 'seeded', '1')
    redis.call('EXPIRE', c, ARGV[2 * i])
    seeded = seeded + 1
  end
end
return seeded
`;
