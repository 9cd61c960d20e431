/**
 * The hash that picks a key's shard in a KeyTable that outgrew one Map: FNV-1a over the latin1 code units, then
 * MurmurHash3's finalizer so that the low bits (the ones a shard directory looks at) depend on every byte. It is
 * fixed, not seeded, so that a table's layout, and with it every SCAN, KEYS and RANDOMKEY reply, is the same on every
 * run (the determinism the simulator relies on). It is computed only once a table has more than one shard: a table
 * below the shard limit never hashes.
 */
export function hashKey(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
