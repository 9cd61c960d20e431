/**
 * PFSELFTEST (Redis 7.0 pfselftestCommand): checks the HyperLogLog implementation itself. First, random values written
 * to every dense register read back unchanged without disturbing their neighbours (1,000 rounds); then ten million
 * distinct elements go into a dense and a sparse sketch at once, and at every power of ten the two must agree, the
 * sparse one must still be sparse while it is small, and the estimate must be within six standard errors.
 *
 * Random draws come from the engine's random source, so a seeded engine runs the same test every time.
 */
import { type RandomSource, randomInt } from '../engine/random.ts'
import {
  denseGet,
  denseSet,
  emptySketch,
  estimate,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllWorkspace,
  sketchHistogram,
} from './hll-sketch.ts'

const TEST_CYCLES = 1000
const ELEMENTS = 10_000_000
const REGISTER_MAX = 63

/** C's rand(): 31 random bits. */
function rand(random: RandomSource): number {
  return randomInt(random, 0x80000000)
}

function count(work: HllWorkspace): number {
  const histogram = sketchHistogram(work.bytes.subarray(0, work.length))
  return histogram === null ? -1 : estimate(histogram)
}

/**
 * Runs the self test: null when it passes, else Redis's TESTFAILED message (without the ERR prefix). PFSELFTEST runs
 * Redis's sizes; tests may run fewer cycles and elements.
 */
export function hllSelfTest(
  random: RandomSource,
  sparseMaxBytes: number,
  sizes: { cycles: number; elements: number } = { cycles: TEST_CYCLES, elements: ELEMENTS },
): string | null {
  const registers = new Uint8Array(HLL_DENSE_SIZE)
  const expected = new Uint8Array(HLL_REGISTERS)
  for (let cycle = 0; cycle < sizes.cycles; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = rand(random) & REGISTER_MAX
      expected[i] = r
      denseSet(registers, HLL_HDR_SIZE, i, r)
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = denseGet(registers, HLL_HDR_SIZE, i)
      if (value !== expected[i]) return `TESTFAILED Register ${i} should be ${expected[i]} but is ${value}`
    }
  }

  const dense = new HllWorkspace(emptySketch())
  dense.toDense()
  const sparse = new HllWorkspace(emptySketch())
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS)
  let checkpoint = 1
  // seed = rand() | rand() << 32, and each element is the 8 bytes of j ^ seed (little-endian, as on x86).
  const seedLo = rand(random)
  const seedHi = rand(random)
  const element = Buffer.alloc(8)
  element.writeUInt32LE(seedHi, 4)
  for (let j = 1; j <= sizes.elements; j++) {
    element.writeUInt32LE((j ^ seedLo) >>> 0, 0)
    dense.add(element, sparseMaxBytes)
    sparse.add(element, sparseMaxBytes)
    if (j !== checkpoint) continue
    if (j < sparseMaxBytes / 2 && sparse.encoding !== HLL_SPARSE) return 'TESTFAILED sparse encoding not used'
    const denseCount = count(dense)
    if (denseCount !== count(sparse)) return 'TESTFAILED dense/sparse disagree'
    // Cardinality 10 gets a tight bound of its own: Redis's comment says collisions make it noisy otherwise.
    const maxErr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint)
    const absErr = Math.abs(checkpoint - denseCount)
    if (absErr > maxErr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${absErr}`
    checkpoint *= 10
  }
  return null
}
