/**
 * The workload invariants as a simulator checker (sim/checkers/types.ts), over the run's history only.
 * Register it by adding `workloadInvariants` to CHECKERS in sim/checkers/index.ts.
 */
import type { Checker, RecordedRun, Violation } from './types.ts'
import { RedisList } from '../../src/keyspace/types/list.ts'
import { checkInvariants } from '../invariants/index.ts'

export const workloadInvariants = {
  name: 'workload-invariants',
  kinds: [
    {
      kind: 'transfer-total',
      property: 'invariants',
      catches: true,
      description:
        'a read of every account does not sum to the initial total, or a balance lies outside what the transfers allow',
    },
    {
      kind: 'counter',
      property: 'invariants',
      catches: true,
      description:
        "a counter's read lies outside the bounds its increments allow, or two increments returned the same value",
    },
    {
      kind: 'lock-exclusive',
      property: 'invariants',
      catches: true,
      description:
        'two acquisitions of the lock script held the lock at once, or a release succeeded without an acquisition',
    },
    {
      kind: 'list-append',
      property: 'invariants',
      catches: true,
      description:
        'two reads of an append-only list are not prefixes of each other, or a read misses an acknowledged append',
    },
    {
      kind: 'queue',
      property: 'invariants',
      catches: true,
      description: 'a queue element was consumed twice, or lost (neither consumed nor still queued at the end)',
    },
  ],
  check(run: RecordedRun): Violation[] {
    const db = run.engine.keyspace.db(0)
    // The queues' contents at the end, read from the table itself: no recorded access, no lazy expiry.
    const final = (key: string): string[] | undefined => {
      const value = db.table.get(key)
      return value instanceof RedisList ? value.range(0, value.length - 1).map((b) => b.toString('latin1')) : undefined
    }
    return checkInvariants(run.history, { queue: { final } }).map((found) => {
      const clients = new Set<number>()
      for (const op of run.history) if (found.operations.includes(op.id)) clients.add(op.client)
      // Typed so that an invariant the kinds above do not declare fails to compile.
      const kind: InvariantKind = found.invariant
      return {
        kind,
        message: found.message,
        operations: found.operations,
        clients: [...clients],
        keys: found.keys,
        accesses: [],
      }
    })
  },
} as const satisfies Checker

type InvariantKind = (typeof workloadInvariants.kinds)[number]['kind']
