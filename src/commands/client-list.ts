/**
 * The one-line client description of CLIENT LIST and CLIENT INFO, in Redis 7.0's field order:
 *
 *   id=7 addr=127.0.0.1:52555 laddr=127.0.0.1:6379 fd=8 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0
 *   multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22298
 *   events=r cmd=client|list user=default redir=-1 resp=2
 *
 * Fields with a redsim equivalent are exact (id, addresses, name, age and idle from the injected clock, flags, db,
 * multi, cmd, resp). Fields describing C buffers redsim does not have get values of the size a fresh redis-server
 * reports, computed from what redsim does know (the running command's size, the queued MULTI commands), so tools that
 * parse the line see plausible numbers.
 */
import type { Client } from '../engine/client.ts'
import type { Engine } from '../engine/engine.ts'

/** Redis's default query buffer allocation (PROTO_IOBUF_LEN plus sds header slack) and reply buffer size. */
const QUERY_BUFFER_SIZE = 20474
const REPLY_BUFFER_SIZE = 1024
/** The fixed part of tot-mem of an idle 7.0 client (struct client, its lists and dicts). */
const CLIENT_STRUCT_MEMORY = 790

/** Clients that ran CLIENT NO-EVICT ON (flag `e`); cleared by RESET and NO-EVICT OFF. */
export const noEvictClients = new WeakSet<Client>()

/** The running command of the client asking, so its own line shows qbuf/argv-mem as Redis does. */
export interface CurrentCommand {
  readonly client: Client
  readonly argv: Buffer[]
}

/**
 * Redis's flag letters that have a redsim equivalent, in Redis's order; `N` when none applies. `P`: subscribed to
 * something; `b`: blocked in BLPOP & co. or postponed by CLIENT PAUSE (Redis blocks a postponed client).
 */
function flagsOf(client: Client, engine: Engine | null): string {
  let flags = ''
  if (engine && engine.pubsub.total(client) > 0) flags += 'P'
  if (client.multi) flags += 'x'
  if (engine && (engine.blocking.isBlocked(client) || engine.clientPause.isPostponed(client))) flags += 'b'
  if (client.dirtyCas) flags += 'd'
  if (client.closeAfterReply) flags += 'c'
  if (noEvictClients.has(client)) flags += 'e'
  return flags === '' ? 'N' : flags
}

/** Bytes of the RESP multibulk request that carried `argv`. */
function requestSize(argv: Buffer[]): number {
  let size = `*${argv.length}\r\n`.length
  for (const arg of argv) size += `$${arg.length}\r\n`.length + arg.length + 2
  return size
}

function argvBytes(argv: Buffer[]): number {
  let sum = 0
  for (const arg of argv) sum += arg.length
  return sum
}

/** Redis's multi-mem: argument bytes of every queued command plus one pointer per argument. */
function multiMemory(client: Client): number {
  if (!client.multi) return 0
  let sum = 0
  for (const queued of client.multi.queue) sum += argvBytes(queued.argv) + 8 * queued.argv.length
  return sum
}

/** The sub=, psub= and ssub= fields: the client's channels, patterns and shard channels. */
function subscriptionCounts(client: Client, engine: Engine | null): string {
  if (!engine) return 'sub=0 psub=0 ssub=0'
  const pubsub = engine.pubsub
  return (
    `sub=${pubsub.subscriptionsOf(client, 'channel').length} psub=${pubsub.subscriptionsOf(client, 'pattern').length}` +
    ` ssub=${pubsub.shardCount(client)}`
  )
}

/** Redis's file descriptor column: -1 for clients without a socket (as for Redis's own fake clients). */
function fdOf(client: Client): number {
  // Node does not expose descriptors; a fresh redis-server hands the first connection fd 8, then counts up.
  return client.kind === 'tcp' ? client.id + 7 : -1
}

export function clientInfoLine(
  client: Client,
  nowMs: number,
  current: CurrentCommand | null,
  engine: Engine | null = null,
): string {
  const nowSec = Math.floor(nowMs / 1000)
  const own = current !== null && current.client === client
  const qbuf = own ? requestSize(current.argv) : 0
  const argvMem = own ? argvBytes(current.argv) : 0
  const multiMem = multiMemory(client)
  const totMem =
    QUERY_BUFFER_SIZE + REPLY_BUFFER_SIZE + argvMem + multiMem + client.clientName.length + CLIENT_STRUCT_MEMORY
  return (
    `id=${client.id} addr=${client.addr} laddr=${client.laddr} fd=${fdOf(client)} name=${client.clientName}` +
    ` age=${nowSec - Math.floor(client.createdAt / 1000)} idle=${nowSec - Math.floor(client.lastInteraction / 1000)}` +
    ` flags=${flagsOf(client, engine)} db=${client.db} ${subscriptionCounts(client, engine)}` +
    ` multi=${client.multi ? client.multi.queue.length : -1}` +
    ` qbuf=${qbuf} qbuf-free=${QUERY_BUFFER_SIZE - qbuf} argv-mem=${argvMem} multi-mem=${multiMem}` +
    ` rbs=${REPLY_BUFFER_SIZE} rbp=0 obl=0 oll=0 omem=0 tot-mem=${totMem} events=r cmd=${client.lastCommand}` +
    ` user=default redir=-1 resp=${client.protocol}\n`
  )
}
