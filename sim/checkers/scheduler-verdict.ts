/** Deadlock, livelock and simulation errors, as the scheduler ended the run. */
import { CONNECTION_ORDER } from './connection-order.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'
import { violation } from './types.ts'

export const schedulerVerdict = {
  name: 'scheduler',
  kinds: [
    {
      kind: 'deadlock',
      property: 'clean-run',
      catches: true,
      description:
        'every unfinished client waits for the lock or on keys, with no timeout, fault or timer event left to free it',
    },
    {
      kind: 'livelock',
      property: 'clean-run',
      catches: true,
      description: 'the run did not end within its step budget (livelock or starvation)',
    },
    CONNECTION_ORDER,
    {
      kind: 'sim-error',
      property: 'clean-run',
      catches: false,
      harness: true,
      description: 'the simulation itself threw (or a worker could not run the seed): the run was not judged',
    },
  ],
  check(run: RecordedRun): Violation[] {
    const { outcome } = run
    switch (outcome.kind) {
      case 'done':
        return []
      case 'deadlock': {
        const holder = run.engine.lock.holder
        const inflight = run.history.filter((op) => op.return === null && outcome.blocked.includes(op.client))
        // The holder's last completed operation is usually the one that kept the lock (e.g. a script that raised).
        for (let i = run.history.length - 1; holder && i >= 0; i--) {
          const op = run.history[i]
          if (op.client === holder.id && op.return !== null) {
            inflight.unshift(op)
            break
          }
        }
        return [
          violation(
            'deadlock',
            `clients ${outcome.blocked.map((c) => `#${c}`).join(', ')} wait for the lock` +
              (holder ? `, held by ${holder.name} which can no longer release it` : ''),
            {
              clients: holder ? [...outcome.blocked, holder.id] : outcome.blocked,
              operations: inflight.map((op) => op.id),
            },
          ),
        ]
      }
      case 'overlap':
        return [
          violation(
            'connection-order',
            `a second command of client #${outcome.client} reached '${outcome.site}' while its first was ${outcome.state}: one connection ran two commands at once`,
            { clients: [outcome.client] },
          ),
        ]
      case 'livelock':
        return [violation('livelock', `no end after ${outcome.steps} scheduling steps (livelock or starvation)`)]
      case 'error': {
        const err = outcome.error
        const text = err instanceof Error ? (err.stack ?? err.message) : String(err)
        return [violation('sim-error', `the simulation itself failed: ${text.split('\n')[0]}`)]
      }
    }
  },
} as const satisfies Checker
