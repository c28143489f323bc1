// redisLayout: the keys of a bot's history in Redis and the Lua scripts that write and trim them.

import type { TableName } from './schema.js';

/** The keys of one bot: all share the `{bot}` hash tag, so in Redis Cluster they live in one slot and a script may touch them all. */
export function redisKeys(prefix: string, bot: string) {
  const base = `${prefix}:{${bot}}`;
  return {
    /** One sorted set per table: score the row's timestamp, member a 16-digit hex sequence number and the row's JSON record. */
    table: (t: TableName) => `${base}:${t}`,
    /** Last sequence number given to a row (orders rows of the same millisecond as they were written). */
    seq: `${base}:seq`,
    /** Hash `<hourStart>|<symbol>` → the hour's trade figures (TRADE_HOUR_FIGURES, comma-separated). */
    hours: `${base}:trade_hours`,
    /** Sorted set of the hash's fields scored by hour, so a range reads only its hours. */
    hourIndex: `${base}:trade_hours_index`,
    /** Hash per UTC hour: execution time (as text) → how many of the hour's trades took it, so percentiles read hours, not trades. */
    times: (hourStart: number) => `${base}:trade_times:${hourStart}`,
    /** Hash symbol → the position every trade written (deleted ones included) left, as JSON. */
    carry: `${base}:position_carry`,
    /** The last balance given and its hour's opening one (BalanceState, as JSON). */
    balance: `${base}:balance`,
    /** Token of the last script applied: each script checks it is its predecessor's, and a writer that lost answers reads it, then fences it. */
    lastBatch: `${base}:last_batch`,
    /** Every bot with history under this prefix (its own slot: written apart from the bot's keys). */
    bots: `${prefix}:bots`,
  };
}

/** The keys of one bot, as {@link redisKeys} gives them. */
export type RedisKeys = ReturnType<typeof redisKeys>;

/** Longest a batch's script may take before the connection is given up on (its rows are then retried). */
export const BATCH_TIMEOUT_MS = 15_000;

/** Characters before a member's JSON record: its sequence number in hex. */
export const SEQ_WIDTH = 16;

/**
 * Adds hour deltas (ARGV from `i`: count, then field and comma-separated figures) to the hour sums
 * in KEYS[3], keeping the hour index (KEYS[index]) in step; then execution-time counts (ARGV: count
 * of hours, then per hour a count and (time, delta) pairs, the hours' keys from KEYS[first]); returns the next index.
 */
const ADD_HOURS = `
local function addTimes(i, first)
  local h = tonumber(ARGV[i]); i = i + 1
  for k = 1, h do
    local key = KEYS[first + k - 1]
    local m = tonumber(ARGV[i]); i = i + 1
    for j = 1, m do
      if redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1]) <= 0 then redis.call('HDEL', key, ARGV[i]) end
      i = i + 2
    end
  end
  return i
end
local function addHours(i, index)
  local h = tonumber(ARGV[i]); i = i + 1
  for k = 1, h do
    local field, delta = ARGV[i], ARGV[i + 1]; i = i + 2
    local old = redis.call('HGET', KEYS[3], field)
    local f = {}
    if old then for x in string.gmatch(old, '[^,]+') do f[#f + 1] = tonumber(x) end end
    local out = {}
    local j = 1
    for x in string.gmatch(delta, '[^,]+') do
      out[j] = string.format('%.17g', (f[j] or 0) + tonumber(x)); j = j + 1
    end
    if tonumber(out[1]) <= 0 then
      redis.call('HDEL', KEYS[3], field)
      redis.call('ZREM', KEYS[index], field)
    else
      if not old then redis.call('ZADD', KEYS[index], tonumber(string.match(field, '^[^|]+')), field) end
      redis.call('HSET', KEYS[3], field, table.concat(out, ','))
    end
  end
  return i
end
`;

/**
 * Applies one batch atomically (a script runs whole), unless the script sent before it did not apply (-3: its
 * token is not the last one; a token is never sent twice), or the sequence number is not the one the members
 * were numbered from (-2: another writer moved it; renumbered and sent again). KEYS: seq, lastBatch, hours, carry, the
 * six tables in TABLES order, balance, the hour index, the execution-time hours. ARGV: token, the token of the script
 * sent before ('' when none), the sequence number before and after the batch, then per table a count and (score, member)
 * pairs (members already numbered, so each table is a few ZADDs of the arguments as given), then hour deltas,
 * execution-time counts, then P&L fills (count, score, old member, new member), then carried positions (count,
 * symbol, JSON), then the balance state ('' for unchanged).
 */
export const WRITE_SCRIPT = `${ADD_HOURS}
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[2] then return -3 end
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[3]) then return -2 end
local i = 5
for t = 1, 6 do
  local last = i + 2 * tonumber(ARGV[i])
  i = i + 1
  while i <= last do
    local stop = math.min(i + 1999, last)
    redis.call('ZADD', KEYS[4 + t], unpack(ARGV, i, stop))
    i = stop + 1
  end
end
redis.call('SET', KEYS[1], ARGV[4])
i = addTimes(addHours(i, 12), 13)
local p = tonumber(ARGV[i]); i = i + 1
for k = 1, p do
  if redis.call('ZREM', KEYS[5], ARGV[i + 1]) == 1 then redis.call('ZADD', KEYS[5], ARGV[i], ARGV[i + 2]) end
  i = i + 3
end
local c = tonumber(ARGV[i]); i = i + 1
for k = 1, c do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]); i = i + 2 end
if ARGV[i] ~= '' then redis.call('SET', KEYS[11], ARGV[i]) end
redis.call('SET', KEYS[2], ARGV[1])
return 0
`;

/** Retention: removes members (ARGV after the hour deltas and time counts) of the table KEYS[4], and takes deleted trades out of the hour sums and time counts. KEYS: -, -, hours, table, hour index, the execution-time hours. */
export const DELETE_SCRIPT = `${ADD_HOURS}
local i = addTimes(addHours(1, 5), 6)
local n = 0
while i <= #ARGV do
  local last = math.min(i + 999, #ARGV)
  n = n + redis.call('ZREM', KEYS[4], unpack(ARGV, i, last))
  i = last + 1
end
return n
`;

/** Moves the last batch token KEYS[1] from ARGV[1] ('' for none) to ARGV[2]: 1, or 0 when it is not ARGV[1]. Scripts chained on ARGV[1] can then not apply. */
export const FENCE_SCRIPT = `
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;
