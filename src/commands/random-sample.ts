/**
 * SRANDMEMBER / HRANDFIELD sampling with Redis's cases and complexity. Randomness comes only from the engine's
 * injected source, so a simulation seed fixes every pick.
 */

import { KeyTable } from '../keyspace/key-table.ts'
import { ReplyError } from '../protocol/reply.ts'

/**
 * The most picks a negative count may ask for. Redis has no limit and spins (and grows its output buffer) until it
 * is killed; a huge count is refused here instead, as redsim never hangs on bad input.
 */
export const MAX_REPEATED_PICKS = 1 << 27

/**
 * Emits `count` names of a collection of `size` (> 0) names, following Redis's srandmemberWithCountCommand:
 * - a negative count, or 1: |count| independent picks, repeats allowed, O(|count|);
 * - count >= size: the whole collection in its order, O(size);
 * - count a large share of size (count * 3 > size): a partial shuffle of all names, O(size), where Redis copies the
 *   collection and removes random elements;
 * - otherwise: random picks deduplicated with a Set, O(count).
 */
export function sample(
  count: bigint,
  size: number,
  randomName: () => string,
  allNames: () => string[],
  forEach: (visit: (name: string) => void) => void,
  random: () => number,
  emit: (name: string) => void,
): void {
  if (count < 0n || count === 1n) {
    const picks = Number(count < 0n ? -count : count)
    if (picks > MAX_REPEATED_PICKS) throw new ReplyError('ERR value is out of range')
    for (let i = 0; i < picks; i++) emit(randomName())
    return
  }
  if (count >= BigInt(size)) {
    forEach(emit)
    return
  }
  const n = Number(count)
  if (n * 3 > size) {
    const names = allNames()
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(random() * (names.length - i))
      const chosen = names[j]
      names[j] = names[i]
      names[i] = chosen
      emit(chosen)
    }
    return
  }
  // A KeyTable, not a Set: n can pass a Set's 2^24 limit when the collection is past three times that.
  const seen = new KeyTable<true>()
  while (seen.size < n) {
    const name = randomName()
    if (!seen.set(name, true)) continue
    emit(name)
  }
}
