"""The Lua scripts of :class:`~apicore_callbacks.RedisJobStore` (one per store operation).

Numbers are written back from ARGV strings, never from Lua numbers: Lua formats doubles with
14 digits, which would round Unix times. Keys are built from the prefix (``ARGV[1]``), so the
store needs one Redis, not Redis Cluster.
"""

from __future__ import annotations

from apicore_callbacks._jobs import JobState
from apicore_callbacks._transitions import ACTIVE, CLAIM, CLAIMABLE


def _lua_set(states: tuple[JobState, ...]) -> str:
    return "{" + ", ".join(f"{state.value} = true" for state in states) + "}"


# Shared helpers, prepended to every script. The state machine is not written here: its
# tables come from apicore_callbacks._transitions, and writes under a claim take the decided
# change as arguments (_APPLY).
LUA_HEAD = (
    """
local P = ARGV[1]
local function jkey(id) return P .. 'job:' .. id end
local ACTIVE = """
    + _lua_set(ACTIVE)
    + """
local CLAIMABLE = {"""
    + ", ".join(f"['{stage or ''}'] = {_lua_set(states)}" for stage, states in CLAIMABLE.items())
    + """}
local CLAIM = {"""
    + ", ".join(
        f"{old.value} = {{'{step.state.value}', {step.runs}}}" for old, step in CLAIM.items()
    )
    + """}
local function schedule(id, due_at, publish_at)
  redis.call('ZADD', P .. 'due', due_at, id)
  redis.call('ZADD', P .. 'publish', publish_at, id)
end
local function drop(id, ...)
  for _, set in ipairs({...}) do redis.call('ZREM', P .. set, id) end
end
local function forget(id)
  local scope = redis.call('HGET', jkey(id), 'idem_scope')
  if scope then redis.call('HDEL', P .. 'idem', scope) end
  redis.call('DEL', jkey(id), P .. 'attempts:' .. id)
  drop(id, 'due', 'publish', 'created', 'finished')
end
local function claim_one(id, worker, now, lease_until)
  local k = jkey(id)
  local step = CLAIM[redis.call('HGET', k, 'state')]
  redis.call('HINCRBY', k, 'fence', 1)
  redis.call('HSET', k, 'lease_until', lease_until, 'worker', worker, 'updated_at', now,
    'state', step[1])
  redis.call('HINCRBY', k, 'run_count', step[2])
  schedule(id, lease_until, lease_until)  -- published again if this worker dies
  return redis.call('HGETALL', k)
end
local function fenced(id, token)
  local f = redis.call('HMGET', jkey(id), 'fence', 'lease_until')
  return f[1] == token and f[2] ~= false
end
local function set_or_clear(k, field, value)
  if value == '' then redis.call('HDEL', k, field) else redis.call('HSET', k, field, value) end
end
"""
)

# ARGV: prefix, id, scope, fingerprint, now, publish_at, field/value pairs...
_SUBMIT = """
local id, scope, fp, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if scope ~= '' then
  local old = redis.call('HGET', P .. 'idem', scope)
  if old and redis.call('EXISTS', jkey(old)) == 1 then
    if redis.call('HGET', jkey(old), 'fingerprint') ~= fp then return {-1, old} end
    return {0, redis.call('HGETALL', jkey(old))}
  end
  redis.call('HSET', P .. 'idem', scope, id)
end
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', jkey(id), unpack(fields))
schedule(id, now, ARGV[6])
redis.call('ZADD', P .. 'created', now, id)
return {1, redis.call('HGETALL', jkey(id))}
"""

# ARGV: prefix, worker, now, lease_until, limit, stage ('', 'run', 'deliver'),
# filter ('1'/'0'), endpoints...
_CLAIM = """
local worker, now, lease_until, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local claimable = CLAIMABLE[ARGV[6]]
local allowed = nil
if ARGV[7] == '1' then
  allowed = {}
  for i = 8, #ARGV do allowed[ARGV[i]] = true end
end
local out = {}
local ids = redis.call('ZRANGEBYSCORE', P .. 'due', '-inf', now, 'LIMIT', 0, 1000)
for _, id in ipairs(ids) do
  if #out >= limit then break end
  local f = redis.call('HMGET', jkey(id), 'endpoint', 'state')
  if claimable[f[2]] and (allowed == nil or allowed[f[1]]) then
    out[#out + 1] = claim_one(id, worker, now, lease_until)
  end
end
return out
"""

# ARGV: prefix, id, worker, now, lease_until
_CLAIM_JOB = """
local id, now = ARGV[2], tonumber(ARGV[4])
local s = redis.call('HMGET', jkey(id), 'state', 'run_at', 'lease_until')
if not ACTIVE[s[1]] or tonumber(s[2]) > now then return false end
if s[3] and tonumber(s[3]) > now then return false end
return claim_one(id, ARGV[3], ARGV[4], ARGV[5])
"""

# ARGV: prefix, id, token, now, lease_until
_HEARTBEAT = """
local id = ARGV[2]
if not fenced(id, ARGV[3]) then return 0 end
redis.call('HSET', jkey(id), 'lease_until', ARGV[5], 'updated_at', ARGV[4])
schedule(id, ARGV[5], ARGV[5])
return 1
"""

# A decided transition under a claim (apicore_callbacks._transitions.Change), written as given.
# ARGV: prefix, id, token, now, state, run_at, finished_at, last_error, run_count,
# delivery_count, publish_at, attempt, [outcome, payload]; '' is None.
_APPLY = """
local id, now = ARGV[2], ARGV[4]
if not fenced(id, ARGV[3]) then return 0 end
local k = jkey(id)
redis.call('HSET', k, 'state', ARGV[5], 'run_at', ARGV[6], 'run_count', ARGV[9],
  'delivery_count', ARGV[10], 'updated_at', now)
set_or_clear(k, 'finished_at', ARGV[7])
set_or_clear(k, 'last_error', ARGV[8])
redis.call('HDEL', k, 'lease_until', 'worker')
if #ARGV >= 14 then redis.call('HSET', k, 'outcome', ARGV[13], 'payload', ARGV[14]) end
if ARGV[7] == '' then
  schedule(id, ARGV[6], ARGV[11])
else
  drop(id, 'due', 'publish')
  redis.call('ZADD', P .. 'finished', ARGV[7], id)
end
if ARGV[12] ~= '' then redis.call('RPUSH', P .. 'attempts:' .. id, ARGV[12]) end
return 1
"""

# ARGV: prefix, id, now, reason, cancelled state
_CANCEL = """
local id, now = ARGV[2], ARGV[3]
local k = jkey(id)
if redis.call('EXISTS', k) == 0 then return false end
if not ACTIVE[redis.call('HGET', k, 'state')] then return {0, redis.call('HGETALL', k)} end
redis.call('HSET', k, 'state', ARGV[5], 'last_error', ARGV[4], 'updated_at', now,
  'finished_at', now)
redis.call('HDEL', k, 'lease_until', 'worker')
redis.call('HINCRBY', k, 'fence', 1)
drop(id, 'due', 'publish')
redis.call('ZADD', P .. 'finished', now, id)
return {1, redis.call('HGETALL', k)}
"""

# ARGV: prefix, now, limit
_LEASE_HOLDERS = """
local now = tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', P .. 'due', '(' .. ARGV[2], '+inf', 'LIMIT', 0, ARGV[3])
local seen, out = {}, {}
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', jkey(id), 'worker', 'lease_until')
  if f[1] and f[2] and tonumber(f[2]) > now and not seen[f[1]] then
    seen[f[1]] = true
    out[#out + 1] = f[1]
  end
end
return out
"""

# ARGV: prefix, now, limit, workers...
_EXPIRE_LEASES = """
local now = ARGV[2]
local dead = {}
for i = 4, #ARGV do dead[ARGV[i]] = true end
local ids = redis.call('ZRANGEBYSCORE', P .. 'due', '(' .. now, '+inf', 'LIMIT', 0, ARGV[3])
local n = 0
for _, id in ipairs(ids) do
  local k = jkey(id)
  local f = redis.call('HMGET', k, 'worker', 'lease_until')
  if f[1] and dead[f[1]] and f[2] and tonumber(f[2]) > tonumber(now) then
    redis.call('HSET', k, 'lease_until', now, 'updated_at', now)
    redis.call('HINCRBY', k, 'fence', 1)
    schedule(id, now, now)
    n = n + 1
  end
end
return n
"""

# The decision for each case is an argument (apicore_callbacks._transitions.requeued).
# ARGV: prefix, id, now, state without payload, reset runs ('1'/'0'), state with payload,
# reset runs
_REQUEUE = """
local id, now = ARGV[2], ARGV[3]
local k = jkey(id)
if redis.call('EXISTS', k) == 0 then return false end
local i = 4
if redis.call('HEXISTS', k, 'payload') == 1 then i = 6 end
redis.call('HSET', k, 'state', ARGV[i])
if ARGV[i + 1] == '1' then redis.call('HSET', k, 'run_count', 0) end
redis.call('HSET', k, 'delivery_count', 0, 'run_at', now, 'updated_at', now)
redis.call('HDEL', k, 'lease_until', 'worker', 'finished_at')
redis.call('HINCRBY', k, 'fence', 1)
schedule(id, now, now)
drop(id, 'finished')
return redis.call('HGETALL', k)
"""

# ARGV: prefix, now, next_publish_at, limit
_TAKE_UNPUBLISHED = """
local ids = redis.call('ZRANGEBYSCORE', P .. 'publish', '-inf', ARGV[2], 'LIMIT', 0, ARGV[4])
for _, id in ipairs(ids) do redis.call('ZADD', P .. 'publish', ARGV[3], id) end
return ids
"""

# ARGV: prefix, finished_before
_PRUNE = """
local ids = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', '(' .. ARGV[2])
for _, id in ipairs(ids) do forget(id) end
return #ids
"""

# A job whose publish failed, deleted only while nothing started it.
# ARGV: prefix, id, queued state
_DELETE = """
if redis.call('HGET', jkey(ARGV[2]), 'state') ~= ARGV[3] then return 0 end
forget(ARGV[2])
return 1
"""


SCRIPTS = {
    "submit": _SUBMIT,
    "claim": _CLAIM,
    "claim_job": _CLAIM_JOB,
    "heartbeat": _HEARTBEAT,
    "apply": _APPLY,
    "requeue": _REQUEUE,
    "cancel": _CANCEL,
    "lease_holders": _LEASE_HOLDERS,
    "expire_leases": _EXPIRE_LEASES,
    "take_unpublished": _TAKE_UNPUBLISHED,
    "prune": _PRUNE,
    "delete": _DELETE,
}
"""Every state transition of :class:`RedisJobStore`, each run as one atomic script."""
