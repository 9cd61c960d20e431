/**
 * Transcript tests: a sequence of commands with the exact reply bytes a real redis-server 7.0.15 gave for them
 * (recorded by running the same sequence against it), replayed against a fresh redsim engine. A line's protocol is
 * RESP2 unless a `HELLO 3` switched the connection, as on a real connection.
 */
import { expect } from 'vitest'
import { respText, type TestEngine, testEngine } from '../helpers.ts'

/** [command arguments, expected RESP bytes as a latin1 string]. */
export type TranscriptStep = readonly [args: readonly (string | Buffer)[], expected: string]

export async function replay(steps: readonly TranscriptStep[], t: TestEngine = testEngine()): Promise<void> {
  let protocol: 2 | 3 = 2
  for (const [args, expected] of steps) {
    if (args.length === 2 && String(args[0]).toLowerCase() === 'hello') {
      protocol = Number(String(args[1])) === 3 ? 3 : 2
      t.conn.client.protocol = protocol
      continue
    }
    const argv = args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1')))
    const actual = respText(await t.conn.send(argv), protocol)
    expect(actual, args.map(String).join(' ')).toBe(expected)
  }
}
