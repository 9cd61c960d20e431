/**
 * A connection's promises, as the taps between pipelining connections and the executor recorded them: its commands
 * run in the order sent, one at a time, and its replies come back in that order, each exactly as the server encoded it.
 * (Two commands of one connection running at once can also end the run early; the scheduler's verdict reports that.)
 */
import type { Checker, RecordedRun, Violation } from './types.ts'
import { violation } from './types.ts'

export const connectionOrder: Checker = {
  name: 'connection-order',
  check(run: RecordedRun): Violation[] {
    const breaches = run.connectionBreaches ?? []
    return breaches.map((b) =>
      violation('connection-order', `client #${b.client} ${b.message}`, {
        clients: [b.client],
        operations: b.op >= 0 ? [b.op] : [],
      }),
    )
  },
}
