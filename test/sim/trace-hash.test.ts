import { describe, expect, it } from 'vitest'
import { NIL_ARRAY, type Reply, ReplyError, SimpleString } from '../../src/protocol/reply.ts'
import { sameReply } from '../../sim/checkers/witness.ts'
import { replyText, TraceHash } from '../../sim/trace-hash.ts'

/** Hash of a sequence of events: numbers are decisions (actor 1, that site), anything else a reply to client 1. */
function hashOf(events: Array<number | Reply>): string {
  const hash = new TraceHash()
  for (const event of events) {
    if (typeof event === 'number' && event > 0 && event < 16) hash.decision(1, event)
    else hash.reply(1, event as Reply)
  }
  hash.note('done')
  return hash.digest()
}

const REPLIES: Reply[] = [
  null,
  NIL_ARRAY,
  Buffer.from('1'),
  Buffer.from(''),
  'text',
  42,
  0,
  123n,
  new SimpleString('OK'),
  new ReplyError('ERR boom'),
  [],
  [Buffer.from('a'), null],
  [[Buffer.from('a')], 1],
]

describe('trace hash', () => {
  it('is the same for the same events and differs when a decision or a reply differs', () => {
    const events = [1, 3, Buffer.from('v'), 6, 42, new ReplyError('ERR x')]
    expect(hashOf(events)).toBe(hashOf([...events]))
    expect(hashOf(events)).not.toBe(hashOf([1, 3, Buffer.from('w'), 6, 42, new ReplyError('ERR x')]))
    expect(hashOf(events)).not.toBe(hashOf([1, 4, Buffer.from('v'), 6, 42, new ReplyError('ERR x')]))
    // The same replies at a different position among the decisions.
    expect(hashOf(events)).not.toBe(hashOf([1, Buffer.from('v'), 3, 6, 42, new ReplyError('ERR x')]))
  })

  it('tells every reply shape apart', () => {
    const hashes = new Set(REPLIES.map((reply) => hashOf([reply])))
    expect(hashes.size).toBe(REPLIES.length)
    // Nested arrays are not confused with their flattening.
    expect(hashOf([[[Buffer.from('a')], 1]])).not.toBe(hashOf([[Buffer.from('a'), 1]]))
  })

  it('covers runs longer than its buffer, including replies bigger than it', () => {
    const big = Buffer.alloc(40_000, 7)
    const events: Array<number | Reply> = []
    for (let i = 0; i < 20_000; i++) events.push(1 + (i % 9))
    events.push(big, 'é'.repeat(30_000), 5)
    const changed = Buffer.from(big)
    changed[39_999] = 8
    expect(hashOf(events)).toBe(hashOf(events.slice()))
    expect(hashOf(events)).not.toBe(hashOf([...events.slice(0, 20_000), changed, 'é'.repeat(30_000), 5]))
  })
})

describe('witness reply comparison', () => {
  it('agrees with comparing the replies as text', () => {
    const pool: Reply[] = [...REPLIES, 'OK', Buffer.from('OK'), Buffer.from('text'), 123, 1.5, new SimpleString('1')]
    for (const a of pool) {
      for (const b of pool)
        expect(sameReply(a, b), `${replyText(a)} vs ${replyText(b)}`).toBe(replyText(a) === replyText(b))
    }
  })
})
