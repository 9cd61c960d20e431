/**
 * The pub/sub registry: who is subscribed to which channels, patterns and shard channels, and message delivery.
 *
 * Delivery is a push through the subscriber's `Client.push` sink (its connection writes it in order with its
 * replies); a client without a sink simply receives nothing. Order follows Redis: a channel's subscribers in
 * subscription order, then pattern subscribers, pattern by pattern in the order the patterns first appeared.
 *
 * A client is in "subscribed mode" while it has any subscription; in RESP2 it may then only run the commands
 * `subscribedModeError` allows (Redis's processCommand rule).
 */
import type { CommandSpec } from '../commands/types.ts'
import { stringMatch } from '../keyspace/glob.ts'
import { PushReply, type Reply, ReplyError } from '../protocol/reply.ts'
import type { Client } from './client.ts'

export type SubscriptionKind = 'channel' | 'pattern' | 'shard'

interface ClientSubscriptions {
  channels: Set<string>
  patterns: Set<string>
  shards: Set<string>
}

/** Commands a RESP2 client may run while subscribed. */
const ALLOWED_WHILE_SUBSCRIBED = new Set([
  'ping',
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'quit',
  'reset',
])

export class PubSub {
  /** Channel (latin1) -> subscribers, in subscription order. */
  private readonly channels = new Map<string, Set<Client>>()
  private readonly patterns = new Map<string, Set<Client>>()
  private readonly shards = new Map<string, Set<Client>>()
  private readonly byClient = new Map<Client, ClientSubscriptions>()

  private registry(kind: SubscriptionKind): Map<string, Set<Client>> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shards
  }

  private own(client: Client, kind: SubscriptionKind): Set<string> | undefined {
    const subs = this.byClient.get(client)
    if (!subs) return undefined
    return kind === 'channel' ? subs.channels : kind === 'pattern' ? subs.patterns : subs.shards
  }

  /** Adds a subscription; returns false if the client already had it. */
  subscribe(client: Client, kind: SubscriptionKind, name: string): boolean {
    let subs = this.byClient.get(client)
    if (!subs) {
      subs = { channels: new Set(), patterns: new Set(), shards: new Set() }
      this.byClient.set(client, subs)
    }
    const mine = kind === 'channel' ? subs.channels : kind === 'pattern' ? subs.patterns : subs.shards
    if (mine.has(name)) return false
    mine.add(name)
    const registry = this.registry(kind)
    let clients = registry.get(name)
    if (!clients) {
      clients = new Set()
      registry.set(name, clients)
    }
    clients.add(client)
    return true
  }

  /** Removes a subscription; returns false if the client did not have it. */
  unsubscribe(client: Client, kind: SubscriptionKind, name: string): boolean {
    const mine = this.own(client, kind)
    if (!mine?.delete(name)) return false
    const registry = this.registry(kind)
    const clients = registry.get(name)
    if (clients) {
      clients.delete(client)
      if (clients.size === 0) registry.delete(name)
    }
    if (this.total(client) === 0) this.byClient.delete(client)
    return true
  }

  /** The client's subscriptions of one kind, in the order they were made (a copy: callers unsubscribe while iterating). */
  subscriptionsOf(client: Client, kind: SubscriptionKind): string[] {
    const mine = this.own(client, kind)
    return mine ? [...mine] : []
  }

  /** Channels plus patterns: the count SUBSCRIBE/UNSUBSCRIBE replies carry. */
  count(client: Client): number {
    const subs = this.byClient.get(client)
    return subs ? subs.channels.size + subs.patterns.size : 0
  }

  /** Shard channels: the count SSUBSCRIBE/SUNSUBSCRIBE replies carry. */
  shardCount(client: Client): number {
    return this.byClient.get(client)?.shards.size ?? 0
  }

  /** Every subscription of every kind. */
  total(client: Client): number {
    const subs = this.byClient.get(client)
    return subs ? subs.channels.size + subs.patterns.size + subs.shards.size : 0
  }

  /** Drops every subscription silently (disconnect, RESET). */
  removeClient(client: Client): void {
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      for (const name of this.subscriptionsOf(client, kind)) this.unsubscribe(client, kind, name)
    }
  }

  /** PUBLISH: delivers to channel subscribers, then to matching pattern subscribers; returns the deliveries. */
  publish(channel: string, message: Buffer): number {
    let receivers = 0
    const channelBytes = Buffer.from(channel, 'latin1')
    const direct = this.channels.get(channel)
    if (direct) {
      for (const client of direct) {
        client.push(new PushReply([MESSAGE, channelBytes, message]))
        receivers++
      }
    }
    for (const [pattern, clients] of this.patterns) {
      if (!stringMatch(pattern, channel)) continue
      const patternBytes = Buffer.from(pattern, 'latin1')
      for (const client of clients) {
        client.push(new PushReply([PMESSAGE, patternBytes, channelBytes, message]))
        receivers++
      }
    }
    return receivers
  }

  /** SPUBLISH: delivers to the shard channel's subscribers. */
  publishShard(channel: string, message: Buffer): number {
    const clients = this.shards.get(channel)
    if (!clients) return 0
    const channelBytes = Buffer.from(channel, 'latin1')
    for (const client of clients) client.push(new PushReply([SMESSAGE, channelBytes, message]))
    return clients.size
  }

  /** Active channels (or shard channels) matching `pattern` (all when null). */
  activeChannels(kind: 'channel' | 'shard', pattern: string | null): string[] {
    const out: string[] = []
    for (const name of this.registry(kind).keys()) if (pattern === null || stringMatch(pattern, name)) out.push(name)
    return out
  }

  subscriberCount(kind: 'channel' | 'shard', name: string): number {
    return this.registry(kind).get(name)?.size ?? 0
  }

  /** PUBSUB NUMPAT: distinct patterns with at least one subscriber. */
  patternCount(): number {
    return this.patterns.size
  }
}

const MESSAGE = Buffer.from('message')
const PMESSAGE = Buffer.from('pmessage')
const SMESSAGE = Buffer.from('smessage')

/**
 * The error for a command a RESP2 client may not run while subscribed, or null. (RESP3 clients receive pushes
 * beside ordinary replies, so they may run anything.)
 */
export function subscribedModeError(pubsub: PubSub, client: Client, spec: CommandSpec): ReplyError | null {
  if (client.protocol !== 2 || pubsub.total(client) === 0) return null
  const name = spec.container ?? spec.name
  if (ALLOWED_WHILE_SUBSCRIBED.has(name)) return null
  const full = spec.container ? `${spec.container}|${spec.name}` : spec.name
  return new ReplyError(
    `ERR Can't execute '${full}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  )
}

/** PING's RESP2 reply in subscribed mode: ["pong", message or ""]. */
export function subscribedPing(pubsub: PubSub, client: Client, message: Buffer | null): Reply | null {
  if (client.protocol !== 2 || pubsub.total(client) === 0) return null
  return [Buffer.from('pong'), message ?? Buffer.alloc(0)]
}
