import type { History } from '../linearizability/history.ts'
import { type CounterOptions, checkCounters } from './counters.ts'
import { checkListAppends, type ListAppendOptions } from './list-append.ts'
import { checkLocks, type LockOptions } from './locks.ts'
import { checkQueues, type QueueOptions } from './queue.ts'
import { checkTransfers, type TransferOptions } from './transfers.ts'
import type { InvariantViolation } from './types.ts'

export type { InvariantViolation } from './types.ts'
export { checkCounters, checkListAppends, checkLocks, checkQueues, checkTransfers }

export interface InvariantOptions {
  counter?: CounterOptions
  transfer?: TransferOptions
  lock?: LockOptions
  listAppend?: ListAppendOptions
  /** The queues' contents at the end of the run: the queue invariant needs them, and runs only when given. */
  queue?: QueueOptions
}

/** Every workload invariant over one history. */
export function checkInvariants(history: History, options: InvariantOptions = {}): InvariantViolation[] {
  return [
    ...checkTransfers(history, options.transfer),
    ...checkCounters(history, options.counter),
    ...checkLocks(history, options.lock),
    ...checkListAppends(history, options.listAppend),
    ...(options.queue ? checkQueues(history, options.queue) : []),
  ]
}
