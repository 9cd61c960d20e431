/**
 * The workload invariants as a simulator checker (sim/checkers/types.ts), over the run's history only.
 * Register it by adding `workloadInvariants` to CHECKERS in sim/checkers/index.ts.
 */
import type { Checker, RecordedRun, Violation } from './types.ts'
import type { History } from '../linearizability/history.ts'
import { RedisList } from '../../src/keyspace/types/list.ts'
import { checkInvariants } from '../invariants/index.ts'

export const workloadInvariants: Checker = {
  name: 'workload-invariants',
  check(run: RecordedRun): Violation[] {
    const db = run.engine.keyspace.db(0)
    // The queues' contents at the end, read from the table itself: no recorded access, no lazy expiry.
    const final = (key: string): string[] | undefined => {
      const value = db.table.get(key)
      return value instanceof RedisList ? value.range(0, value.length - 1).map((b) => b.toString('latin1')) : undefined
    }
    return checkInvariants(run.history as History, { queue: { final } }).map((found) => {
      const clients = new Set<number>()
      for (const op of run.history) if (found.operations.includes(op.id)) clients.add(op.client)
      return {
        kind: found.invariant,
        message: found.message,
        operations: found.operations,
        clients: [...clients],
        keys: found.keys,
        accesses: [],
      }
    })
  },
}
