/**
 * Checks on the state a finished run leaves behind and on the replies themselves:
 * - the lock is free once every client is done (a leaked lease would block the next client forever);
 * - no reply is an internal error (a bug inside redsim surfaced as an error reply, InternalErrorReply).
 */
import { InternalErrorReply, type Reply } from '../../src/protocol/reply.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'
import { violation } from './types.ts'

export const leaseReleased = {
  name: 'lease-released',
  kinds: [
    {
      kind: 'leaked-lease',
      property: 'clean-run',
      catches: true,
      description: 'every client finished but one still holds the database lock',
    },
  ],
  check(run: RecordedRun): Violation[] {
    if (run.outcome.kind !== 'done') return []
    const holder = run.engine.lock.holder
    if (!holder) return []
    return [
      violation('leaked-lease', `every client finished but ${holder.name} still holds the database lock`, {
        clients: [holder.id],
      }),
    ]
  },
} as const satisfies Checker

/** The first internal error in a reply the server gave (inside EXEC's array too), recognised by its type. */
function internalError(reply: Reply | undefined): string | null {
  if (reply instanceof InternalErrorReply) return reply.message
  if (Array.isArray(reply)) {
    for (const item of reply) {
      const found = internalError(item)
      if (found) return found
    }
  }
  return null
}

export const noInternalErrors = {
  name: 'no-internal-errors',
  kinds: [
    {
      kind: 'internal-error',
      property: 'clean-run',
      catches: false,
      description: 'a reply was `ERR internal error ...`: a crash inside redsim, not the race a mutant plants',
    },
  ],
  check(run: RecordedRun): Violation[] {
    // Every reply the server produced, including those a disconnected client never received.
    for (const call of run.calls) {
      const found = internalError(call.reply)
      if (found) {
        return [
          violation('internal-error', `client #${call.client}: ${call.argv[0]} replied '${found}'`, {
            clients: [call.client],
            operations: call.op >= 0 ? [call.op] : [],
          }),
        ]
      }
    }
    return []
  },
} as const satisfies Checker
