/**
 * The built-in checks that apply to a user simulation, run on everything the server saw once the clients are done:
 * - atomicity: each script's and each EXEC's keyspace accesses form one contiguous block of the execution log (the
 *   simulator's no-interleaved-writes checker, on the log recorded behind the engine's seam). Another client's access
 *   in between, a read as much as a write, is an interleaved access: the script or transaction was not atomic;
 * - the lock is free when every client has finished (a leaked lease blocks everyone after).
 * The checkers that need the simulator's own workloads (the witness, linearizability against redsim's command model,
 * the workload invariants) do not apply: user code speaks through its own library, and its operations are its own
 * (a user `Model` checks those).
 */
import type { Engine } from '../../src/engine/engine.ts'
import { noInterleavedWrites } from '../checkers/no-interleaved-writes.ts'
import type { RecordedRun, Violation } from '../checkers/types.ts'
import type { Recorder } from '../recorder.ts'

export interface ServerFailure {
  kind: 'interleaved-access' | 'leaked-lease'
  message: string
}

/**
 * Null when the checks hold. `owner` names an engine client id as the report's lanes do ('client 2'), or undefined
 * for a connection the simulation did not open.
 */
export function checkServer(
  engine: Engine,
  recorder: Recorder,
  owner: (engineClientId: number) => string | undefined,
): ServerFailure | null {
  const name = (id: number) => owner(id) ?? `connection #${id}`
  // The checker reads only the log and its spans.
  const view = { log: recorder.log, spans: recorder.spans } as Pick<RecordedRun, 'log' | 'spans'>
  // Synchronous: the checker is a linear scan (the Checker interface also allows promises, for other checkers).
  const [interleaved] = noInterleavedWrites.check(view as RecordedRun) as Violation[]
  if (interleaved) {
    return {
      kind: 'interleaved-access',
      message: interleaved.message.replace(/client #(\d+)/g, (_: string, id: string) => name(Number(id))),
    }
  }
  const holder = engine.lock.holder
  if (holder) {
    return {
      kind: 'leaked-lease',
      message: `every client finished but ${owner(holder.id) ?? holder.name} still holds the database lock`,
    }
  }
  return null
}
