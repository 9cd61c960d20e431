import type { History } from '../linearizability/history.ts'
import { indexed, type InvariantViolation, mayExpire, type Op, returnOf, writtenKeys } from './types.ts'

/**
 * Lock holders are exclusive. With the lock script (ARGV[1] 'acquire' or 'release', ARGV[2] owner), an acquisition
 * that replied 1 holds the lock from a point within its interval until the owner's next successful release (a point
 * within that release's interval; an unknown-outcome release may have happened any time after it was invoked; no
 * release: held to the end). Two holds must fit one after the other: a violation is two acquisitions each of which
 * returned before the other could possibly have been released.
 *
 * Also: a release that replied 1 must follow an acquisition by the same owner that may have succeeded.
 * Keys written by anything but the lock script, or that can expire, are skipped.
 */

export interface LockOptions {
  /** Name of the lock script. */
  script?: string
}

interface Hold {
  acquire: { op: Op; id: number }
  owner: string
  /** Earliest time the hold can have ended: its release's invoke (Infinity when never released). */
  releasedFrom: number
  release?: number
}

export function checkLocks(history: History, options: LockOptions = {}): InvariantViolation[] {
  const script = options.script ?? 'lock'
  const byKey = new Map<string, Array<{ op: Op; id: number }>>()
  const skipped = new Set<string>()
  for (const entry of indexed(history)) {
    const input = entry.op.input
    if ('script' in input && input.script === script) {
      const key = input.keys[0]
      let list = byKey.get(key)
      if (!list) byKey.set(key, (list = []))
      list.push(entry)
    } else {
      for (const key of writtenKeys(input)) skipped.add(key)
      for (const key of byKey.keys()) if (mayExpire(input, key)) skipped.add(key)
    }
  }
  const violations: InvariantViolation[] = []
  for (const [key, ops] of byKey) if (!skipped.has(key)) violations.push(...checkLock(key, ops))
  return violations
}

function checkLock(key: string, ops: Array<{ op: Op; id: number }>): InvariantViolation[] {
  const violations: InvariantViolation[] = []
  const argsOf = (op: Op): string[] => ('script' in op.input ? op.input.args : [])
  const acquires = ops.filter(({ op }) => argsOf(op)[0] === 'acquire')
  const releases = ops.filter(({ op }) => argsOf(op)[0] !== 'acquire')

  // Pair each successful acquisition with its owner's first later release that may have succeeded.
  const holds: Hold[] = []
  const used = new Set<number>()
  for (const acquire of acquires.filter(({ op }) => op.output === 1 && op.return !== null)) {
    const owner = argsOf(acquire.op)[1]
    const release = releases
      .filter(({ op, id }) => !used.has(id) && argsOf(op)[1] === owner && op.invoke > acquire.op.invoke)
      .filter(({ op }) => op.return === null || op.output === 1)
      .sort((a, b) => a.op.invoke - b.op.invoke)[0]
    if (release) used.add(release.id)
    holds.push({
      acquire,
      owner,
      releasedFrom: release ? release.op.invoke : Number.POSITIVE_INFINITY,
      release: release?.id,
    })
  }

  for (let i = 0; i < holds.length; i++) {
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i]
      const b = holds[j]
      // a can end before b starts only if a's release was invoked before b's acquisition returned; and vice versa.
      if (a.releasedFrom > returnOf(b.acquire.op) && b.releasedFrom > returnOf(a.acquire.op)) {
        violations.push({
          invariant: 'lock-exclusive',
          message:
            `lock ${key}: ${a.owner} (operation ${a.acquire.id}) and ${b.owner} (operation ${b.acquire.id}) both ` +
            'held it at the same time',
          operations: [a.acquire.id, b.acquire.id, ...[a.release, b.release].filter((r) => r !== undefined)],
          keys: [key],
        })
      }
    }
  }

  for (const { op, id } of releases) {
    if (op.return === null || op.output !== 1) continue
    const owner = argsOf(op)[1]
    const mayHold = acquires.some(
      ({ op: acquire }) =>
        argsOf(acquire)[1] === owner &&
        acquire.invoke < returnOf(op) &&
        (acquire.return === null || acquire.output === 1),
    )
    if (!mayHold) {
      violations.push({
        invariant: 'lock-exclusive',
        message: `lock ${key}: ${owner} released it (operation ${id}) without ever acquiring it`,
        operations: [id],
        keys: [key],
      })
    }
  }
  return violations
}
