/**
 * Transcript tests: a sequence of commands with the exact reply bytes a real redis-server 7.0.15 gave for them
 * (recorded by running the same sequence against it), replayed against a fresh redsim engine. Out-of-band pushes
 * (pub/sub messages, extra subscribe confirmations) are expected before the reply, as they arrive on a socket.
 * HELLO runs but its reply is not compared (it carries the connection id).
 */
import { expect } from 'vitest'
import { respText, type TestEngine, testEngine } from '../helpers.ts'

/** [command arguments, expected RESP bytes as a latin1 string]. */
export type TranscriptStep = readonly [args: readonly (string | Buffer)[], expected: string]

export async function replay(steps: readonly TranscriptStep[], t: TestEngine = testEngine()): Promise<void> {
  let pushed = ''
  t.conn.client.pushSink = (reply) => {
    pushed += respText(reply, t.conn.client.protocol)
  }
  for (const [args, expected] of steps) {
    const argv = args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1')))
    pushed = ''
    const reply = await t.conn.send(argv)
    if (argv[0].toString('latin1').toLowerCase() === 'hello') continue
    const actual = pushed + respText(reply, t.conn.client.protocol)
    expect(actual, args.map(String).join(' ')).toBe(expected)
  }
}
