/**
 * Every data-type generator by name, and a mix of all of them, as sequences ready to compare. Each
 * sequence starts by restoring the default encoding thresholds (CONFIG survives FLUSHALL).
 */
import fc from 'fast-check'
import type { Step } from '../harness.ts'
import { bitmapCommands } from './bitmaps.ts'
import { blockingEpisode } from './blocking.ts'
import { eitherProtocol, type GenStep, sequenceOf } from './common.ts'
import { hashCommands } from './hashes.ts'
import { hllCommands } from './hyperloglog.ts'
import { listCommands } from './lists.ts'
import { lowThresholds, objectCommands, resetThresholds } from './object.ts'
import { pubsubSequences } from './pubsub.ts'
import { setCommands } from './sets.ts'
import { sortCommands, sortCommandsAnyKey } from './sort.ts'
import { zsetCommands } from './zsets.ts'

export const typeGenerators: Record<string, fc.Arbitrary<GenStep[]>> = {
  hashes: hashCommands,
  lists: listCommands,
  sets: setCommands,
  zsets: zsetCommands,
  bitmaps: bitmapCommands,
  hyperloglog: hllCommands,
  sort: sortCommands,
  'object and encodings': objectCommands,
}

const allTypes = fc.oneof(
  ...Object.entries(typeGenerators).map(([name, arb]) => (name === 'sort' ? sortCommandsAnyKey : arb)),
)

/** Sequences per type, plus `mixed` (every type over the same keys) and `blocking`; RESP2 or RESP3. */
const sequencesByName: Record<string, fc.Arbitrary<Step[]>> = {
  ...Object.fromEntries(
    Object.entries(typeGenerators).map(([name, arb]) => [
      name,
      // Now and then a lower threshold, so the same commands also run on the large encodings.
      sequenceOf(fc.oneof({ weight: 30, arbitrary: arb }, { weight: 1, arbitrary: lowThresholds }), {
        prefix: resetThresholds,
      }),
    ]),
  ),
  mixed: sequenceOf(allTypes, { prefix: resetThresholds, maxLength: 30 }),
  // Clients blocked while others write: serving order, what BLMOVE chains leave, EXEC serving after it completes.
  blocking: sequenceOf(fc.oneof(listCommands, zsetCommands), {
    prefix: resetThresholds,
    maxLength: 12,
    episodes: blockingEpisode,
  }),
}

export const typeSequences: Record<string, fc.Arbitrary<Step[]>> = {
  ...Object.fromEntries(Object.entries(sequencesByName).map(([name, arb]) => [name, eitherProtocol(arb)])),
  // Chooses its protocol itself: the number of replies to read depends on it.
  pubsub: pubsubSequences,
}
