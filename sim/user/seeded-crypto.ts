/**
 * Seeded `node:crypto` randomness for a user simulation. Client code draws lock tokens, request ids and nonces from
 * `crypto.randomBytes` and `crypto.randomUUID` (redlock's lock values are `randomBytes(16)`); those bytes travel to
 * the server, so unseeded they would make every run of a seed send different packets and give a different trace
 * hash. While a run is on, the random functions of `node:crypto` (its CommonJS object and, through
 * syncBuiltinESMExports, its ES module bindings) and `globalThis.crypto` draw from a generator seeded by the run's seed;
 * hashing, ciphers and keys are left alone. Nothing here is for security: a simulated run has no secrets.
 */
import crypto from 'node:crypto'
import { syncBuiltinESMExports } from 'node:module'
import seedrandom from 'seedrandom'

type Callback = (err: Error | null, value: any) => void

const PATCHED = ['randomBytes', 'randomUUID', 'randomFillSync', 'randomFill', 'randomInt'] as const

/** Replaces the random sources; returns the function that puts the real ones back. */
export function installSeededCrypto(seed: number): () => void {
  const prng = seedrandom(`${seed}:user-crypto`)
  const byte = () => Math.floor(prng.quick() * 256)
  const fill = <T extends ArrayBufferView>(view: T, offset = 0, size?: number): T => {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
    const end = size === undefined ? bytes.length : Math.min(bytes.length, offset + size)
    for (let i = offset; i < end; i++) bytes[i] = byte()
    return view
  }
  const uuid = (): string => {
    const b = fill(new Uint8Array(16))
    b[6] = (b[6] & 0x0f) | 0x40 // version 4
    b[8] = (b[8] & 0x3f) | 0x80 // RFC 4122 variant
    const hex = Buffer.from(b).toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  // Asynchronous forms answer on the next tick, as the real ones answer on a later turn: still inside the run.
  const later = (callback: Callback, value: unknown) => process.nextTick(() => callback(null, value))
  const replacements: Record<(typeof PATCHED)[number], unknown> = {
    randomBytes: (size: number, callback?: Callback) => {
      const buffer = fill(Buffer.alloc(size))
      if (typeof callback === 'function') return void later(callback, buffer)
      return buffer
    },
    randomUUID: uuid,
    randomFillSync: fill,
    randomFill: (view: ArrayBufferView, ...rest: unknown[]) => {
      const callback = rest.pop() as Callback
      fill(view, rest[0] as number | undefined, rest[1] as number | undefined)
      later(callback, view)
    },
    randomInt: (min: number, max?: number | Callback, callback?: Callback) => {
      let lo = min
      let hi = max
      let cb = callback
      if (typeof hi !== 'number') {
        cb = hi as Callback | undefined
        hi = lo
        lo = 0
      }
      const value = lo + Math.floor(prng.quick() * (hi - lo))
      if (typeof cb === 'function') return void later(cb, value)
      return value
    },
  }
  const module = crypto as unknown as Record<string, unknown>
  const originals = new Map<string, unknown>()
  for (const name of PATCHED) {
    originals.set(name, module[name])
    module[name] = replacements[name]
  }
  // The web Crypto object: own properties shadow its prototype's methods until they are deleted again.
  const web = globalThis.crypto as unknown as Record<string, unknown> | undefined
  if (web) {
    web.getRandomValues = fill
    web.randomUUID = uuid
  }
  syncBuiltinESMExports()
  return () => {
    for (const [name, original] of originals) module[name] = original
    if (web) {
      delete web.getRandomValues
      delete web.randomUUID
    }
    syncBuiltinESMExports()
  }
}
