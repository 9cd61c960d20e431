/**
 * INFO [section ...], in Redis 7.0's text format: `# Server\r\nredis_version:7.0.15\r\n...`, one `field:value` line
 * each, sections separated by an empty line, always in Redis's section order whatever the order asked for.
 *
 * Values come from redsim's own state wherever it has one (clients, keyspace, command and error statistics, config,
 * the injected clock). Figures about machinery redsim does not have (forks, AOF, replication backlog, network byte
 * counters) are reported as an idle standalone redis-server reports them. Nothing here reads the wall clock or
 * randomness except through the engine; the one real measurement is process memory, see `memorySection`.
 */
import { totalmem } from 'node:os'
import type { Engine } from '../engine/engine.ts'
import { STARTUP_BYTES } from '../engine/used-memory.ts'
import { DICT_ENTRY } from '../keyspace/memory-size.ts'
import { type Reply, VerbatimReply } from '../protocol/reply.ts'
import { existingFunctionLibraries } from '../scripting/functions/function-registry.ts'
import { existingScriptingHost } from '../scripting/lua-host.ts'
import type { CommandContext } from './types.ts'
import { REDIS_VERSION } from './version.ts'

type Fields = Array<[string, string | number]>

interface Section {
  /** Lower-case name, as INFO takes it. */
  readonly name: string
  /** Title line, `# Server`. */
  readonly title: string
  readonly inDefault: boolean
  readonly render: (engine: Engine) => Fields
}

/** Redis's section order (genRedisInfoString). */
const SECTIONS: Section[] = [
  { name: 'server', title: 'Server', inDefault: true, render: serverSection },
  { name: 'clients', title: 'Clients', inDefault: true, render: clientsSection },
  { name: 'memory', title: 'Memory', inDefault: true, render: memorySection },
  { name: 'persistence', title: 'Persistence', inDefault: true, render: persistenceSection },
  { name: 'stats', title: 'Stats', inDefault: true, render: statsSection },
  { name: 'replication', title: 'Replication', inDefault: true, render: replicationSection },
  { name: 'cpu', title: 'CPU', inDefault: true, render: cpuSection },
  { name: 'modules', title: 'Modules', inDefault: true, render: () => [] },
  { name: 'commandstats', title: 'Commandstats', inDefault: false, render: commandStatsSection },
  { name: 'errorstats', title: 'Errorstats', inDefault: true, render: errorStatsSection },
  // redsim keeps no latency histograms: the section is empty, as Redis's is with latency-tracking off.
  { name: 'latencystats', title: 'Latencystats', inDefault: false, render: () => [] },
  { name: 'cluster', title: 'Cluster', inDefault: true, render: () => [['cluster_enabled', 0]] },
  { name: 'keyspace', title: 'Keyspace', inDefault: true, render: keyspaceSection },
]

export function info(ctx: CommandContext): Reply {
  return new VerbatimReply(
    'txt',
    infoText(
      ctx.engine,
      ctx.argv.slice(1).map((a) => a.toString('latin1')),
    ),
  )
}

/** The INFO text for the requested section names (none: the default sections). Unknown names add nothing. */
export function infoText(engine: Engine, requested: string[]): string {
  const wanted = new Set<string>()
  if (requested.length === 0) requested = ['default']
  for (const raw of requested) {
    const name = raw.toLowerCase()
    if (name === 'all' || name === 'everything') {
      for (const s of SECTIONS) wanted.add(s.name)
    } else if (name === 'default') {
      for (const s of SECTIONS) if (s.inDefault) wanted.add(s.name)
    } else {
      wanted.add(name)
    }
  }
  const parts: string[] = []
  for (const section of SECTIONS) {
    if (!wanted.has(section.name)) continue
    let text = `# ${section.title}\r\n`
    for (const [field, value] of section.render(engine)) text += `${field}:${value}\r\n`
    parts.push(text)
  }
  return parts.join('\r\n')
}

/** 40 hex digits from the engine's random source, drawn once per engine (run_id, master_replid). */
const identities = new WeakMap<Engine, { runId: string; replId: string }>()

function identity(engine: Engine): { runId: string; replId: string } {
  let id = identities.get(engine)
  if (!id) {
    const hex40 = () => {
      let s = ''
      for (let i = 0; i < 40; i++) s += Math.floor(engine.random.next() * 16).toString(16)
      return s
    }
    id = { runId: hex40(), replId: hex40() }
    identities.set(engine, id)
  }
  return id
}

function serverSection(engine: Engine): Fields {
  const now = engine.clock.now()
  const uptime = Math.floor((now - engine.startedAt) / 1000)
  const hz = engine.config.get('hz')
  return [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0000000000000000'],
    ['redis_mode', 'standalone'],
    // What redsim is, not the host: reading the host would be real I/O and differ between simulation runs.
    ['os', 'redsim (Node.js)'],
    ['arch_bits', 64],
    ['monotonic_clock', 'redsim injected clock'],
    ['multiplexing_api', 'libuv'],
    ['atomicvar_api', 'none'],
    ['gcc_version', '0.0.0'],
    ['process_id', 1],
    ['process_supervised', 'no'],
    ['run_id', identity(engine).runId],
    ['tcp_port', engine.config.get('port')],
    ['server_time_usec', String(engine.clock.nowMicros())],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    // Redis's LRU clock: seconds, wrapping at 24 bits.
    ['lru_clock', Math.floor(now / 1000) & 0xffffff],
    ['executable', ''],
    ['config_file', ''],
    ['io_threads_active', 0],
  ]
}

function clientsSection(engine: Engine): Fields {
  return [
    ['connected_clients', engine.clients.size],
    ['cluster_connections', 0],
    ['maxclients', engine.config.get('maxclients')],
    ['client_recent_max_input_buffer', 0],
    ['client_recent_max_output_buffer', 0],
    // Redis counts clients postponed by CLIENT PAUSE as blocked (BLOCKED_POSTPONE).
    ['blocked_clients', engine.blocking.blockedClients + engine.clientPause.postponedCount],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', 0],
  ]
}

/** CONFIG RESETSTAT starts the peak over, as Redis's resetServerStats does. */
export function resetMemoryPeak(engine: Engine): void {
  engine.memory.resetPeak()
}

/** The sizes an idle redis-server 7.0 reports for its Lua VMs (eval and functions) and the empty function library. */
const LUA_VM_EVAL = 32768
const LUA_VM_FUNCTIONS = 33792
const FUNCTIONS_MEMORY = 200

function memorySection(engine: Engine): Fields {
  // used_memory and the figures derived from it are what Redis 7.0 would have allocated for the same keys and clients
  // (src/engine/used-memory.ts): that is what maxmemory is enforced against. The RSS is the one real measurement here,
  // allowed because process memory is I/O-free to read and INFO memory is not reproducible between runs in Redis
  // either.
  const meter = engine.memory
  meter.refreshClients()
  const used = meter.used()
  const peak = Math.max(meter.peak, used)
  const rss = process.memoryUsage().rss
  const clients = meter.clients()
  let dictOverhead = 0
  for (const db of engine.keyspace.dbs) if (db.size > 0) dictOverhead += db.size * DICT_ENTRY + db.overheadBytes()
  const overhead = STARTUP_BYTES + clients + dictOverhead
  const dataset = Math.max(used - overhead, 0)
  // The cached scripts are counted without loading the scripting state (which would draw from the engine's random
  // source); their memory is not modelled and is reported as none.
  const scripts = existingScriptingHost(engine)?.loadedCache?.size ?? 0
  const scriptsEval = 0
  const functions = existingFunctionLibraries(engine)
  const functionsMemory = FUNCTIONS_MEMORY + (functions?.memoryEstimate() ?? 0)
  const maxmemory = engine.eviction.maxmemory
  const netUsed = used - STARTUP_BYTES
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${fixed2((used * 100) / peak)}%`],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', STARTUP_BYTES],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${fixed2(netUsed > 0 ? (dataset * 100) / netUsed : 0)}%`],
    ['allocator_allocated', used],
    ['allocator_active', used],
    ['allocator_resident', rss],
    ['total_system_memory', totalmem()],
    ['total_system_memory_human', bytesToHuman(totalmem())],
    ['used_memory_lua', LUA_VM_EVAL],
    ['used_memory_vm_eval', LUA_VM_EVAL],
    ['used_memory_lua_human', bytesToHuman(LUA_VM_EVAL)],
    ['used_memory_scripts_eval', scriptsEval],
    ['number_of_cached_scripts', scripts],
    ['number_of_functions', functions?.functionCount ?? 0],
    ['number_of_libraries', functions?.libraries.size ?? 0],
    ['used_memory_vm_functions', LUA_VM_FUNCTIONS],
    ['used_memory_vm_total', LUA_VM_EVAL + LUA_VM_FUNCTIONS],
    ['used_memory_vm_total_human', bytesToHuman(LUA_VM_EVAL + LUA_VM_FUNCTIONS)],
    ['used_memory_functions', functionsMemory],
    ['used_memory_scripts', scriptsEval + functionsMemory],
    ['used_memory_scripts_human', bytesToHuman(scriptsEval + functionsMemory)],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', engine.eviction.policy],
    ['allocator_frag_ratio', '1.00'],
    ['allocator_frag_bytes', 0],
    ['allocator_rss_ratio', fixed2(rss / used)],
    ['allocator_rss_bytes', rss - used],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', fixed2(rss / used)],
    ['mem_fragmentation_bytes', rss - used],
    // No replicas and no AOF: nothing is left out of the eviction count, as in a standalone Redis without them.
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clients],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'redsim-model'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ]
}

function persistenceSection(engine: Engine): Fields {
  const snapshots = engine.snapshots
  return [
    ['loading', 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', snapshots.changesSinceSave()],
    ['rdb_bgsave_in_progress', snapshots.inProgress ? 1 : 0],
    ['rdb_last_save_time', engine.lastSave],
    ['rdb_last_bgsave_status', snapshots.lastBgsaveStatus],
    ['rdb_last_bgsave_time_sec', snapshots.lastBgsaveSeconds],
    ['rdb_current_bgsave_time_sec', snapshots.currentBgsaveSeconds()],
    ['rdb_saves', snapshots.saves],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', snapshots.lastLoad.expired],
    ['rdb_last_load_keys_loaded', snapshots.lastLoad.loaded],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ]
}

function statsSection(engine: Engine): Fields {
  const { executor, keyspace } = engine
  return [
    ['total_connections_received', engine.totalConnections],
    ['total_commands_processed', executor.totalCommands],
    ['instantaneous_ops_per_sec', 0],
    ['total_net_input_bytes', 0],
    ['total_net_output_bytes', 0],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', '0.00'],
    ['instantaneous_output_kbps', '0.00'],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', engine.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', keyspace.stats.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', engine.eviction.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', keyspace.stats.keyspaceHits],
    ['keyspace_misses', keyspace.stats.keyspaceMisses],
    ['pubsub_channels', 0],
    ['pubsub_patterns', 0],
    ['pubsubshard_channels', 0],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', executor.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', 0],
    ['total_writes_processed', 0],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ]
}

function replicationSection(engine: Engine): Fields {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', identity(engine).replId],
    ['master_replid2', '0000000000000000000000000000000000000000'],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ]
}

function cpuSection(): Fields {
  // Reading CPU time would be real I/O and differ between runs; redsim reports none.
  const zero = '0.000000'
  return [
    ['used_cpu_sys', zero],
    ['used_cpu_user', zero],
    ['used_cpu_sys_children', zero],
    ['used_cpu_user_children', zero],
    ['used_cpu_sys_main_thread', zero],
    ['used_cpu_user_main_thread', zero],
  ]
}

/** `cmdstat_get:calls=2,usec=10,usec_per_call=5.00,rejected_calls=0,failed_calls=0` for every command used. */
function commandStatsSection(engine: Engine): Fields {
  const fields: Fields = []
  for (const [name, s] of engine.executor.commandStats) {
    if (s.calls === 0 && s.failedCalls === 0 && s.rejectedCalls === 0) continue
    const perCall = s.calls === 0 ? 0 : s.usec / s.calls
    fields.push([
      `cmdstat_${name}`,
      `calls=${s.calls},usec=${s.usec},usec_per_call=${fixed2(perCall)},rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    ])
  }
  return fields
}

function errorStatsSection(engine: Engine): Fields {
  const fields: Fields = []
  for (const [code, count] of engine.executor.errorStats) fields.push([`errorstat_${code}`, `count=${count}`])
  return fields
}

/** How many TTLs of a database avg_ttl looks at: Redis estimates it from samples too, never by a full scan. */
const AVG_TTL_SAMPLES = 64

function keyspaceSection(engine: Engine): Fields {
  const now = engine.clock.now()
  const fields: Fields = []
  for (const db of engine.keyspace.dbs) {
    if (db.size === 0) continue
    let sum = 0
    let sampled = 0
    for (const at of db.expires.values()) {
      if (sampled === AVG_TTL_SAMPLES) break
      if (at > now) {
        sum += at - now
        sampled++
      }
    }
    const avgTtl = sampled === 0 ? 0 : Math.floor(sum / sampled)
    fields.push([`db${db.index}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${avgTtl}`])
  }
  return fields
}

/** C's `%.2f`: like toFixed(2), but exact halves round to even as glibc does (1.125 -> "1.12"). */
export function fixed2(value: number): string {
  const scaled = value * 100
  const floor = Math.floor(scaled)
  if (scaled - floor === 0.5 && Number.isFinite(scaled)) return ((floor % 2 === 0 ? floor : floor + 1) / 100).toFixed(2)
  return value.toFixed(2)
}

/** Redis's bytesToHuman: `812B`, `1.44M`, `23.54G`. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P']
  if (n < 1024) return `${n}B`
  let scale = 1024
  for (const unit of units) {
    if (n < scale * 1024) return `${fixed2(n / scale)}${unit}`
    scale *= 1024
  }
  return `${n}B`
}
