/**
 * What the sorted set commands share: typed key access with WRONGTYPE, committing a change through the Database
 * (store a new set, report an in-place change, delete an emptied set), and the member/score reply shapes.
 */
import type { Database } from '../keyspace/database.ts'
import { SortedSet } from '../keyspace/types/zset.ts'
import { DoubleReply, Errors, type Reply } from '../protocol/reply.ts'
import type { CommandContext } from './types.ts'
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/keyspace-events.ts'

/** The sorted set at `key` for reading, undefined when absent; WRONGTYPE for another type. */
export function readZset(db: Database, key: string): SortedSet | undefined {
  const value = db.get(key)
  if (value === undefined) return undefined
  if (!(value instanceof SortedSet)) throw Errors.wrongType()
  return value
}

/** The sorted set at `key` for writing, undefined when absent; WRONGTYPE for another type. */
export function writableZset(db: Database, key: string): SortedSet | undefined {
  const value = db.getForWrite(key)
  if (value === undefined) return undefined
  if (!(value instanceof SortedSet)) throw Errors.wrongType()
  return value
}

/**
 * After removing from an existing set: delete the key if it emptied, else report the change; the command's keyspace
 * event first, then `del` for an emptied set, as in Redis.
 */
export function commitRemoval(db: Database, key: string, z: SortedSet, event: string): void {
  if (z.length === 0) db.delete(key)
  else db.modified(key)
  db.notify(NOTIFY_ZSET, event, key)
  if (z.length === 0) db.notify(NOTIFY_GENERIC, 'del', key)
}

export function memberReply(member: string): Buffer {
  return Buffer.from(member, 'latin1')
}

/**
 * Whether replies take RESP3 shapes (nested member/score pairs): the client's protocol, or for a command called
 * from a script the script's (redis.setresp, RESP2 unless changed). ScriptFrame does not carry that level yet; once
 * the scripting host records it there as `resp`, it is honoured here.
 */
export function usesResp3(ctx: CommandContext): boolean {
  if (ctx.script !== null) return (ctx.script as { resp?: number }).resp === 3
  return ctx.client.protocol === 3
}

/**
 * Members, optionally with scores: RESP2 a flat array (member, score, member, score...), RESP3 an array of
 * [member, score] pairs, as Redis's zrange result handler and ZUNION/ZRANDMEMBER write them.
 */
export function membersReply(ctx: CommandContext, members: string[], scores: number[] | null): Reply {
  if (scores === null) {
    const out: Reply[] = new Array(members.length)
    for (let i = 0; i < members.length; i++) out[i] = memberReply(members[i])
    return out
  }
  if (usesResp3(ctx)) {
    const out: Reply[] = new Array(members.length)
    for (let i = 0; i < members.length; i++) out[i] = [memberReply(members[i]), new DoubleReply(scores[i])]
    return out
  }
  const out: Reply[] = new Array(members.length * 2)
  for (let i = 0; i < members.length; i++) {
    out[2 * i] = memberReply(members[i])
    out[2 * i + 1] = new DoubleReply(scores[i])
  }
  return out
}
