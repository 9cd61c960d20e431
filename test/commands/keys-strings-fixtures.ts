/**
 * Test fixtures for the string and key command tests: a table runner whose expected replies are the bytes a real
 * redis-server 7.0.15 sent for the same commands, and a placeholder aggregate value.
 *
 * `LPUSH key x` in a table stands in for "make `key` a list": list commands are not part of the modules under test,
 * so the runner stores a placeholder aggregate there (and expects LPUSH's `:1`). Every other command runs for real.
 */
import { expect } from 'vitest'
import type { AggregateValue } from '../../src/keyspace/values.ts'
import { respText, type TestEngine, testEngine } from '../helpers.ts'

/** A minimal list-typed aggregate: enough for WRONGTYPE, TYPE, RENAME, MOVE and COPY (which clones it). */
export class PlaceholderList implements AggregateValue {
  readonly redisType = 'list' as const
  clones = 0
  constructor(readonly items: string[] = ['x']) {}
  get length(): number {
    return this.items.length
  }
  clone(): PlaceholderList {
    this.clones++
    return new PlaceholderList([...this.items])
  }
}

export type Case = [args: string[], expected: string]

/**
 * KEYS and SCAN return keys in hash-table order in Redis and in insertion order here; both are unspecified, so their
 * replies are compared with each array of keys sorted.
 */
function inOrder(reply: string): string {
  let at = 0
  const line = (): string => {
    const end = reply.indexOf('\r\n', at)
    const text = reply.slice(at, end)
    at = end + 2
    return text
  }
  const element = (): string => {
    const header = line()
    if (header[0] === '$' && header !== '$-1') {
      const length = Number(header.slice(1))
      const body = reply.slice(at, at + length)
      at += length + 2
      return `${header}\r\n${body}\r\n`
    }
    if (header[0] !== '*' || header === '*-1') return `${header}\r\n`
    const items = Array.from({ length: Number(header.slice(1)) }, element)
    const bulks = items.every((item) => item[0] === '$')
    return `${header}\r\n${(bulks ? items.sort() : items).join('')}`
  }
  return element()
}

/** Arguments and expected replies are latin1 strings, so any byte can be written as \xNN. */
export async function expectReplies(cases: Case[], t: TestEngine = testEngine()): Promise<TestEngine> {
  for (const [args, expected] of cases) {
    let actual: string
    if (args[0].toLowerCase() === 'lpush') {
      t.engine.direct((keyspace) => keyspace.db(t.conn.client.db).set(args[1], new PlaceholderList(args.slice(2))))
      actual = `:${args.length - 2}\r\n`
    } else {
      actual = respText(await t.conn.call(...args.map((a) => Buffer.from(a, 'latin1'))))
    }
    const unordered = /^(keys|scan)$/i.test(args[0]) && expected[0] === '*'
    if (unordered) expect(inOrder(actual), args.join(' ')).toBe(inOrder(expected))
    else expect(actual, args.join(' ')).toBe(expected)
  }
  return t
}
