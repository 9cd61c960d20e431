/**
 * P-compositionality: a history is linearizable if and only if each of its independent sub-histories is, when the
 * model is a product of independent parts (a keyspace is: operations on disjoint keys neither see nor change each
 * other). Sub-histories are the connected components of the "touches a common key" relation, so an EVAL with KEYS a
 * and b joins everything on a with everything on b. Checking components separately turns one exponential search
 * into many small ones.
 */

export interface Partition {
  /** The keys this component touches, sorted (empty for operations that touch no key). */
  keys: string[]
  /** Indexes into the partitioned array, in their original order. */
  members: number[]
}

/**
 * Splits operations by the keys they touch. `keysOf` returns the keys of an operation, or 'all' when it may touch
 * anything (then nothing is split). Operations that touch no key at all each form their own component: their
 * outcome cannot depend on any other operation.
 */
export function partitionByKeys<T>(items: readonly T[], keysOf: (item: T) => readonly string[] | 'all'): Partition[] {
  const parent: number[] = []
  const keyIds = new Map<string, number>()
  const keyNames: string[] = []
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]]
      x = parent[x]
    }
    return x
  }
  const idOf = (key: string): number => {
    let id = keyIds.get(key)
    if (id === undefined) {
      id = parent.length
      parent.push(id)
      keyIds.set(key, id)
      keyNames.push(key)
    }
    return id
  }

  const itemKeys: Array<readonly string[]> = []
  for (const item of items) {
    const keys = keysOf(item)
    if (keys === 'all') return [{ keys: allKeys(items, keysOf), members: items.map((_, i) => i) }]
    itemKeys.push(keys)
    if (keys.length === 0) continue
    const first = find(idOf(keys[0]))
    for (let k = 1; k < keys.length; k++) {
      const other = find(idOf(keys[k]))
      if (other !== first) parent[other] = first
    }
  }

  const byRoot = new Map<number, Partition>()
  const partitions: Partition[] = []
  itemKeys.forEach((keys, index) => {
    if (keys.length === 0) {
      partitions.push({ keys: [], members: [index] })
      return
    }
    const root = find(keyIds.get(keys[0])!)
    let partition = byRoot.get(root)
    if (partition === undefined) {
      partition = { keys: [], members: [] }
      byRoot.set(root, partition)
      partitions.push(partition)
    }
    partition.members.push(index)
  })
  keyNames.forEach((key, id) => {
    byRoot.get(find(id))?.keys.push(key)
  })
  for (const partition of partitions) partition.keys.sort()
  return partitions
}

function allKeys<T>(items: readonly T[], keysOf: (item: T) => readonly string[] | 'all'): string[] {
  const keys = new Set<string>()
  for (const item of items) {
    const touched = keysOf(item)
    if (touched !== 'all') for (const key of touched) keys.add(key)
  }
  return [...keys].sort()
}
