/**
 * The Lua scripts of the Redis presence store. Each runs atomically, so a status change is decided
 * and published by exactly one caller even when every instance races for it, and the PUBLISH
 * inside the script orders events on a user's channel exactly as the changes happened.
 * Times are Redis's own clock (TIME), so instances with skewed clocks agree on expiries.
 *
 * Keys per user: `presence:conn:<id>` (sorted set: claim id → expiry ms) and `presence:state:<id>`
 * (hash: s = on|off, seen = last seen ms, closed = when the last claim was released, during the
 * grace period). One sorted set `presence:expiry`: user id → when the sweep must look at the user
 * (latest claim expiry, or end of grace).
 *
 * On a Redis Cluster every one of these names carries the user's shard tag (`presence:{p7}:…`,
 * see pubsub/channels.ts), one expiry set per shard, and the scripts publish with SPUBLISH on the
 * user's presence channel, which carries the same tag: each call touches exactly one slot, as
 * Redis Cluster requires of a script (keys and sharded channels alike).
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: expiry, then conn and state per claim. ARGV: ttlMs, announceUnknown (1|0), then userId,
 * claimId and channel per claim. Returns the user ids announced ONLINE.
 */
const CLAIM_SCRIPT = `${NOW}
local ttl = tonumber(ARGV[1])
local announceUnknown = ARGV[2] == '1'
local exp = now + ttl
local announced = {}
for i = 1, (#KEYS - 1) / 2 do
  local conn, state = KEYS[2 * i], KEYS[2 * i + 1]
  local uid, claim, channel = ARGV[3 * i], ARGV[3 * i + 1], ARGV[3 * i + 2]
  redis.call('ZADD', conn, exp, claim)
  redis.call('ZREMRANGEBYSCORE', conn, '-inf', now)
  -- A conn set nobody renews or sweeps (every instance gone) does not outlive its claims by long.
  redis.call('PEXPIRE', conn, ttl * 2)
  redis.call('ZADD', KEYS[1], 'GT', exp, uid)
  local s = redis.call('HGET', state, 's')
  if s == 'on' then
    redis.call('HDEL', state, 'closed')
  else
    redis.call('HSET', state, 's', 'on')
    redis.call('HDEL', state, 'closed')
    redis.call('PERSIST', state)
    if s == 'off' or announceUnknown then
      redis.call(PUBLISH, channel,
        cjson.encode({ userId = uid, status = 'ONLINE', lastSeenAt = cjson.null }))
      announced[#announced + 1] = uid
    end
  end
end
return announced
`;

/**
 * KEYS: expiry, then conn and state per release. ARGV: graceMs, then userId, claimId and
 * closedAtMs per release. Returns per release 1 when it was the user's last live claim (the
 * grace period starts), else 0.
 */
const RELEASE_SCRIPT = `${NOW}
local grace = tonumber(ARGV[1])
local last = {}
for i = 1, (#KEYS - 1) / 2 do
  local conn, state = KEYS[2 * i], KEYS[2 * i + 1]
  local uid, claim, closed = ARGV[3 * i - 1], ARGV[3 * i], ARGV[3 * i + 1]
  last[i] = 0
  redis.call('ZREM', conn, claim)
  redis.call('ZREMRANGEBYSCORE', conn, '-inf', now)
  local top = redis.call('ZRANGE', conn, -1, -1, 'WITHSCORES')
  if top[2] then
    -- Others remain: the sweep looks when the latest of them expires, not at a stale later time.
    redis.call('ZADD', KEYS[1], top[2], uid)
  elseif redis.call('HGET', state, 's') ~= 'off' then
    -- Stay ONLINE through the grace period; a missing state (Redis restarted) counts as ONLINE,
    -- since that is what watchers were last told.
    redis.call('HSET', state, 's', 'on', 'closed', closed)
    redis.call('ZADD', KEYS[1], now + grace, uid)
    last[i] = 1
  end
end
return last
`;

/** KEYS: expiry. ARGV: limit. The users the sweep must look at now. */
const DUE_SCRIPT = `${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
`;

/**
 * KEYS: expiry, conn, state. ARGV: userId, ttlMs, offlineStateTtlMs, channel.
 * Announces OFFLINE if the user is due and has no live claim; returns lastSeenAt (ms) then, else
 * false. Whoever runs it first wins: the others find the user no longer due.
 */
const SETTLE_SCRIPT = `${NOW}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > now then
  return false
end
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if top[2] and tonumber(top[2]) > now then
  redis.call('ZADD', KEYS[1], top[2], ARGV[1])
  return false
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[3], 's') ~= 'on' then
  return false
end
local ttl = tonumber(ARGV[2])
-- Closed: when the last connection closed. Expired (its instance died): its last renewal.
local seen = redis.call('HGET', KEYS[3], 'closed')
if seen then
  seen = tonumber(seen)
elseif top[2] then
  seen = tonumber(top[2]) - ttl
else
  seen = tonumber(score) - ttl
end
redis.call('HSET', KEYS[3], 's', 'off', 'seen', seen)
redis.call('HDEL', KEYS[3], 'closed')
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call(PUBLISH, ARGV[4],
  cjson.encode({ userId = ARGV[1], status = 'OFFLINE', lastSeenAt = seen }))
return seen
`;

/** The scripts, publishing with PUBLISH (one Redis) or SPUBLISH (a cluster's sharded pub/sub). */
export function presenceScripts(publish: 'PUBLISH' | 'SPUBLISH') {
  const withPublish = (script: string) => `local PUBLISH = '${publish}'\n${script}`;
  return {
    CLAIM: withPublish(CLAIM_SCRIPT),
    RELEASE: RELEASE_SCRIPT,
    DUE: DUE_SCRIPT,
    SETTLE: withPublish(SETTLE_SCRIPT),
  };
}
