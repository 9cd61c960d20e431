/**
 * The default swarm workload reaches WATCH against expiry: a watched key that expires after WATCH and is deleted
 * before EXEC, lazily (another command touches it) or by active expiry (the cron run by a timer event), must abort the
 * EXEC (Redis 7.0). The deletion is observed where it happens, in the database's expired-key deletion, which tells the
 * watching clients; the aborted EXEC is then found in the history. The same schedules on the expiry-blind-watch
 * mutant, whose deletions leave WATCH intact, are caught by the checkers.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Database } from '../../src/keyspace/database.ts'
import type { Lease } from '../../src/engine/lock.ts'
import type { Client } from '../../src/engine/client.ts'
import { DEFAULT_CONFIG, replayExecution, runSeed, type SeedResult } from '../../sim/run.ts'

const SEEDS = 80
/**
 * Aborts of each kind the swarm must reach within SEEDS seeds: often, not by luck (the recipe without WATCHes of the
 * short-lived pool, whose keys get a fresh TTL just before, reaches each about twice in these seeds).
 */
const AT_LEAST = { active: 5, lazy: 10 }

/** What the deletion of an expired, watched key looks like from inside the database. */
interface Deletion {
  client: number
  key: string
  /** `active`: the cron's pass (its lease belongs to the timer); `lazy`: a client's command. */
  by: 'active' | 'lazy'
}

type Internals = {
  touchExpired(this: Database, key: string): void
  keyspace: { writer: Lease | null }
}

const proto = Database.prototype as unknown as Internals
const touchExpired = proto.touchExpired
let seen: Deletion[] = []

/** Records each watcher a deletion by expiry invalidates (those whose key was live when they WATCHed it). */
function spy(): void {
  proto.touchExpired = function (this: Database, key: string) {
    const self = this as unknown as Internals
    for (const client of (this.watchers.get(key) ?? []) as Set<Client>) {
      const watch = client.watched.find((w) => w.db === this.index && w.key === key)
      if (!watch || watch.expiredAtWatch) continue
      const holder = self.keyspace.writer?.holder
      seen.push({ client: client.id, key, by: holder?.name === 'timer' ? 'active' : 'lazy' })
    }
    touchExpired.call(this, key)
  }
}

afterEach(() => {
  proto.touchExpired = touchExpired
})

describe('the swarm reaches a watched key expiring before EXEC', () => {
  it(`in ${SEEDS} seeds: lazy and active deletions abort the EXEC, and expiry-blind-watch is caught there`, async () => {
    const reached = { active: 0, lazy: 0 }
    const witnesses: SeedResult[] = []
    spy()
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await runSeed({ ...DEFAULT_CONFIG, seed })
      expect(result.verdict, `seed ${seed}: ${result.violations[0]?.message}`).toBe('pass')
      seen = []
      const run = await replayExecution(result.scenario, 'correct', result.tape, result.maxSteps, false)
      expect(run.traceHash).toBe(result.traceHash)
      let abortedHere = false
      for (const deletion of seen) {
        // The deletion happened between this client's WATCH and its EXEC: one of its EXECs on the key aborted.
        const aborted = run.recorder.history.some(
          (op) =>
            op.client === deletion.client &&
            'multi' in op.input &&
            op.input.watch?.includes(deletion.key) &&
            op.return !== null &&
            op.output === null,
        )
        if (aborted) {
          reached[deletion.by]++
          abortedHere = true
        }
      }
      if (abortedHere) witnesses.push(result)
    }
    proto.touchExpired = touchExpired
    expect(reached.active, 'aborts after an active-expiry deletion').toBeGreaterThanOrEqual(AT_LEAST.active)
    expect(reached.lazy, 'aborts after a lazy deletion').toBeGreaterThanOrEqual(AT_LEAST.lazy)

    // On the same schedules, the mutant's EXEC runs where it had to abort: some of those runs are violations.
    const caught: string[] = []
    for (const result of witnesses) {
      const run = await replayExecution(result.scenario, 'expiry-blind-watch', result.tape, result.maxSteps, false)
      caught.push(...run.violations.map((v) => v.kind))
    }
    expect(caught.length).toBeGreaterThan(0)
    expect(caught.every((kind) => kind === 'witness-mismatch' || kind === 'linearizability')).toBe(true)
  }, 120_000)
})
