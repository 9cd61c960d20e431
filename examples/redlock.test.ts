/**
 * A library nobody here wrote, used unchanged: `redlock` (5.0.0-beta.2, the ioredis-based release) on one instance,
 * three clients taking turns at one resource, with the stall fault: a client may stall for 1.5 virtual seconds (its
 * packets neither leave nor arrive) against a lock TTL of 1 second, so a lease can run out under its holder.
 *
 * What holds (500 seeds): mutual exclusion of valid locks. No client's `acquire` resolves while another client, which
 * has not yet called `release`, holds a lock still valid by redlock's own `expiration` (start + TTL - drift), stalls
 * included. The owner-checked release script is part of it: a stalled client that releases late never deletes the
 * next holder's key.
 *
 * What does not hold:
 * - `lock.expiration` is counted from the first attempt of `acquire`, not from the attempt that won (the Redlock
 *   algorithm's validity is the TTL less the time the winning round took). A lock won after retrying for longer than
 *   its TTL comes back already expired by redlock's own clock while its key is on the server for a full TTL: a caller
 *   that checks `expiration` (as safety demands) gives up a lock it holds, and `extend` refuses it. Found without any
 *   fault: three clients, one holding for 700 ms while the others retry.
 * - A lease cannot protect work that outlives it. A read-modify-write of a counter under the lock loses an update
 *   when its holder stalls between the read and the write: the write lands after the lock passed to another client.
 *   Checking `lock.expiration` before writing narrows the window but cannot close it (the write itself can be the
 *   packet that stalls); only a fencing token checked by the resource can. Found and shrunk to 2 clients.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import Redlock, { ExecutionError, type Lock } from 'redlock'
import { describe, expect, it } from 'vitest'
import { type SimulationContext, simulate } from '../sim/index.ts'

const TTL = 1000

interface Hold {
  client: number
  /** Order of events across the clients of a run (they share this process): virtual time does not move between
   *  deliveries, so many events share one millisecond. */
  acquiredAt: number
  releasedAt: number
  /** Virtual ms when `acquire` resolved, and redlock's `expiration` (start + TTL - drift). */
  time: number
  expiration: number
}

/** The locks taken during one run, and the event counter that orders them. */
const holds: Hold[] = []
let events = 0
let increments = 0
/** Locks taken and locks valid when taken, over every run of the mutual exclusion property. */
const tally = { locks: 0, valid: 0 }

function redlockFor(redis: Redis): Redlock {
  // Redlock's own retry loop: up to 30 attempts, 100 ms apart with ±50 ms jitter (jitter from the seeded Math.random).
  // redlock's declarations name ioredis 5's client type; the client is ioredis 6's, whose API redlock uses the same.
  return new Redlock([redis as never], { retryCount: 30, retryDelay: 100, retryJitter: 50 })
}

/** `acquire`, with a refusal after every retry (ExecutionError) as null: another client kept the lock. */
async function acquire(redlock: Redlock): Promise<Lock | null> {
  try {
    return await redlock.acquire(['resource'], TTL)
  } catch (error) {
    if (error instanceof ExecutionError) return null
    throw error
  }
}

async function release(lock: Lock): Promise<void> {
  try {
    await lock.release()
  } catch (error) {
    // Releasing a lock that expired and passed to another client fails (the script deletes only its own value).
    if (!(error instanceof ExecutionError)) throw error
  }
}

/**
 * Two clients that believed they held the lock at once: B's acquire resolved before A called release, while A's lock
 * was still valid by redlock's expiration, and B's own lock was valid too.
 */
function overlapping(): string | null {
  for (const a of holds) {
    for (const b of holds) {
      if (a === b || a.client === b.client) continue
      if (
        a.acquiredAt < b.acquiredAt &&
        b.acquiredAt < a.releasedAt &&
        b.time < a.expiration &&
        b.time < b.expiration
      ) {
        return `client ${b.client} got the lock at ${b.time % 1e6} ms while client ${a.client}'s was valid until ${a.expiration % 1e6} ms`
      }
    }
  }
  return null
}

const scenario = {
  name: 'redlock',
  clients: 3,
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-example-')),
  faults: { stalls: 1, stallMs: 1500 },
  setup: async (redis: Redis) => {
    holds.length = 0
    events = 0
    increments = 0
    await redis.set('counter', '0')
  },
}

describe('redlock, unchanged, on one instance with a stalled client', () => {
  it('never lets two clients hold valid locks at once over 500 seeds', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 500,
      client: async (redis: Redis, ctx: SimulationContext) => {
        const redlock = redlockFor(redis)
        for (let round = 0; round < 2; round++) {
          const lock = await acquire(redlock)
          if (!lock) continue
          const hold = {
            client: ctx.client,
            acquiredAt: ++events,
            releasedAt: Number.POSITIVE_INFINITY,
            time: Date.now(),
            expiration: lock.expiration,
          }
          holds.push(hold)
          await redis.incr(`work:${ctx.client}`)
          hold.releasedAt = ++events
          await release(lock)
        }
      },
      check: () => {
        const overlap = overlapping()
        if (overlap) throw new Error(overlap)
        tally.locks += holds.length
        tally.valid += holds.filter((h) => h.time < h.expiration).length
      },
    })
    expect(result).toEqual({ ok: true, runs: 500 })
    // Not vacuous: most locks were valid when acquire resolved (2,272 of 3,000; the others were won after a wait
    // longer than the TTL, see the next test).
    expect(tally.valid).toBeGreaterThan(tally.locks / 2)
  }, 300_000)

  it('a lock won after waiting longer than its TTL comes back already expired by its own clock (found, no fault)', async () => {
    const result = await simulate({
      ...scenario,
      faults: undefined,
      seed: 1,
      runs: 100,
      client: async (redis: Redis, ctx: SimulationContext) => {
        const lock = await acquire(redlockFor(redis))
        if (!lock) return
        if (lock.expiration <= Date.now()) {
          const key = await redis.pttl('resource')
          throw new Error(
            `client ${ctx.client}: acquire resolved ${Date.now() - lock.expiration} ms after lock.expiration, ` +
              `with the key still held for ${key} ms`,
          )
        }
        await ctx.sleep(700) // the critical section
        await release(lock)
      },
    })
    expect(result.ok).toBe(false)
    expect(result.failure?.kind).toBe('client-error')
    expect(result.failure?.message).toMatch(
      /acquire resolved \d+ ms after lock.expiration, with the key still held for \d{3,4} ms/,
    )
  }, 120_000)

  it('a read-modify-write under the lock loses an update when its holder stalls past the TTL (found)', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 200,
      client: async (redis: Redis) => {
        const redlock = redlockFor(redis)
        for (let round = 0; round < 2; round++) {
          const lock = await acquire(redlock)
          if (!lock) continue
          const n = Number(await redis.get('counter'))
          await redis.set('counter', String(n + 1))
          increments++
          await release(lock)
        }
      },
      check: async (redis: Redis) => {
        const counter = await redis.get('counter')
        if (counter !== String(increments)) {
          throw new Error(`lost update: counter = ${counter} after ${increments} increments`)
        }
      },
    })
    expect(result.ok).toBe(false)
    expect(result.failure?.kind).toBe('check')
    expect(result.failure?.message).toMatch(/lost update: counter = \d after \d increments/)
    expect(result.failure?.message).toContain('up to 1 stalls of 1500 ms')
    expect(result.failure?.clients).toBe(2)
  }, 120_000)
})
