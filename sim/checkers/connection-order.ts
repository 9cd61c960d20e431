/**
 * A connection's promises, as the taps between pipelining connections and the executor recorded them: its commands
 * run in the order sent, one at a time, and its replies come back in that order, each exactly as the server encoded it.
 * (Two commands of one connection running at once can also end the run early; the scheduler's verdict reports that.)
 */
import type { Checker, KindSpec, RecordedRun, Violation } from './types.ts'
import { violation } from './types.ts'

/** Also reported by the scheduler's verdict, when two commands of one connection meet at a seam point. */
export const CONNECTION_ORDER = {
  kind: 'connection-order',
  property: 'clean-run',
  catches: true,
  description:
    'a connection ran a command out of order or while another of its commands was in flight, or a reply came back ' +
    'out of order or not byte for byte as encoded',
} as const satisfies KindSpec

export const connectionOrder = {
  name: 'connection-order',
  kinds: [CONNECTION_ORDER],
  check(run: RecordedRun): Violation[] {
    const breaches = run.connectionBreaches ?? []
    return breaches.map((b) =>
      violation('connection-order', `client #${b.client} ${b.message}`, {
        clients: [b.client],
        operations: b.op >= 0 ? [b.op] : [],
      }),
    )
  },
} satisfies Checker
