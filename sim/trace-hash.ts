/**
 * The trace hash: SHA-256 over every scheduling decision and every reply of a run, in the order they happened. Two
 * runs with the same hash made the same choices and saw the same answers; `--check-determinism` and `--replay` compare
 * it. Decisions are buffered as 16-bit pairs and replies as text, and hashed once at the end, because one native
 * `update` per decision would cost more than the decision itself.
 */
import { createHash } from 'node:crypto'
import {
  BoolReply,
  DoubleReply,
  MapReply,
  NilArray,
  type Reply,
  ReplyError,
  SetReply,
  SimpleString,
  VerbatimReply,
  PushReply,
} from '../src/protocol/reply.ts'

export class TraceHash {
  private decisions = new Uint16Array(1024)
  private length = 0
  private readonly replies: string[] = []

  decision(actor: number, site: number): void {
    if (this.length + 2 > this.decisions.length) {
      const bigger = new Uint16Array(this.decisions.length * 2)
      bigger.set(this.decisions)
      this.decisions = bigger
    }
    this.decisions[this.length++] = actor
    this.decisions[this.length++] = site
  }

  /** A reply delivered to `client`, positioned after the decisions taken so far. */
  reply(client: number, reply: Reply): void {
    this.replies.push(`${this.length}:${client}:${replyText(reply)}`)
  }

  /** Anything else a run wants covered (e.g. the outcome). */
  note(text: string): void {
    this.replies.push(`${this.length}:note:${text}`)
  }

  digest(): string {
    const hash = createHash('sha256')
    hash.update(new Uint8Array(this.decisions.buffer, 0, this.length * 2))
    hash.update(this.replies.join('\n'))
    return hash.digest('hex')
  }
}

/** Combines per-execution or per-seed hashes into one (order matters). */
export function combineHashes(hashes: readonly string[]): string {
  const hash = createHash('sha256')
  for (const h of hashes) hash.update(h)
  return hash.digest('hex')
}

/** A compact, unambiguous text form of a reply: type tag, then content (bulk strings length-prefixed). */
export function replyText(reply: Reply): string {
  if (reply === null) return '_'
  if (Buffer.isBuffer(reply)) return `$${reply.length}:${reply.toString('latin1')}`
  switch (typeof reply) {
    case 'string':
      return `$${reply.length}:${reply}`
    case 'number':
      return `:${reply}`
    case 'bigint':
      return `:${reply}`
  }
  if (Array.isArray(reply)) {
    let out = `*${reply.length}[`
    for (const item of reply) out += `${replyText(item)},`
    return `${out}]`
  }
  if (reply instanceof SimpleString) return `+${reply.value}`
  if (reply instanceof ReplyError) return `-${reply.message}`
  if (reply instanceof NilArray) return '*-1'
  if (reply instanceof DoubleReply) return `,${reply.value}`
  if (reply instanceof BoolReply) return `#${reply.value ? 't' : 'f'}`
  if (reply instanceof MapReply) return `%${reply.entries.map(([k, v]) => `${replyText(k)}=${replyText(v)}`).join(',')}`
  if (reply instanceof SetReply) return `~${reply.items.map(replyText).join(',')}`
  if (reply instanceof PushReply) return `>${reply.items.map(replyText).join(',')}`
  if (reply instanceof VerbatimReply) return `=${reply.format}:${reply.text}`
  return `?${String(reply)}`
}
