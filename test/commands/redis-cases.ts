/**
 * Runs recorded command/reply cases against redsim. The expected replies are the exact bytes a real redis-server 7.0.15
 * gave for the same commands on an empty server (recorded once, pasted into the test files), so a case fails as soon
 * as redsim's reply differs by one byte. `unordered: n` compares the elements of an array reply as an unordered
 * collection of groups of n (for replies whose order Redis leaves to its hash tables).
 */
import { expect } from 'vitest'
import { encodeReply } from '../../src/protocol/resp-encoder.ts'
import { testEngine } from '../helpers.ts'

/** `expected` null: run the command but ignore its reply (HELLO, whose reply carries the connection id). */
export type Case = [argv: string[], expected: string | null, unordered?: number]

export async function expectReplies(cases: Case[]): Promise<void> {
  const { conn } = testEngine()
  for (const [argv, expected, unordered] of cases) {
    const reply = await conn.call(...argv.map((a) => Buffer.from(a, 'latin1')))
    if (expected === null) continue
    let actual = encodeReply(reply, conn.client.protocol).toString('latin1')
    let want = expected
    if (unordered) {
      actual = sortedGroups(actual, unordered)
      want = sortedGroups(expected, unordered)
    }
    expect(actual, argv.join(' ')).toBe(want)
  }
}

/** The end offset of the RESP value starting at `i`. */
function valueEnd(text: string, i: number): number {
  const type = text[i]
  const eol = text.indexOf('\r\n', i)
  const header = text.slice(i + 1, eol)
  let p = eol + 2
  if ('$=!'.includes(type)) return Number(header) < 0 ? p : p + Number(header) + 2
  if ('*~>%|'.includes(type)) {
    let n = Number(header)
    if (n < 0) return p
    if (type === '%' || type === '|') n *= 2
    for (let k = 0; k < n; k++) p = valueEnd(text, p)
    return p
  }
  return p
}

/** An array/set/map reply with its elements (in groups of `group`) sorted, for order-insensitive comparison. */
function sortedGroups(text: string, group: number): string {
  if (!'*~%'.includes(text[0])) return text
  const eol = text.indexOf('\r\n')
  let n = Number(text.slice(1, eol))
  if (n <= 0) return text
  if (text[0] === '%') n *= 2
  const items: string[] = []
  let p = eol + 2
  for (let k = 0; k < n; k++) {
    const end = valueEnd(text, p)
    items.push(text.slice(p, end))
    p = end
  }
  const groups: string[] = []
  for (let k = 0; k < items.length; k += group) groups.push(items.slice(k, k + group).join(''))
  return text.slice(0, eol + 2) + groups.sort().join('')
}
