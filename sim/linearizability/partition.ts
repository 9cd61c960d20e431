/**
 * P-compositionality: a history is linearizable if and only if each of its independent sub-histories is, when the
 * model is a product of independent parts (a keyspace is: operations on disjoint keys neither see nor change each
 * other). Sub-histories are the connected components of the "touches a common key" relation, so an EVAL with KEYS a
 * and b joins everything on a with everything on b. Checking components separately turns one exponential search
 * into many small ones.
 *
 * Broadcast operations (clock ticks) belong to every component. That keeps the split sound because they are
 * instantaneous (invoke = return): each one sits at a fixed point of real time, so the components' linearizations
 * agree on where it is and can still be merged into one.
 */

export type TouchedKeys = readonly string[] | 'all' | 'broadcast'

export interface Partition {
  /** The keys this component touches, sorted (empty for operations that touch no key). */
  keys: string[]
  /** Indexes into the partitioned array, in their original order (broadcast operations included). */
  members: number[]
}

/**
 * Splits operations by the keys they touch. `keysOf` returns the keys of an operation, 'all' when it may touch
 * anything (then nothing is split), or 'broadcast'. Operations that touch no key at all each form their own
 * component: their outcome cannot depend on any other operation.
 */
export function partitionByKeys<T>(items: readonly T[], keysOf: (item: T) => TouchedKeys): Partition[] {
  const touched = items.map(keysOf)
  const broadcast: number[] = []
  touched.forEach((keys, i) => {
    if (keys === 'broadcast') broadcast.push(i)
  })
  const withBroadcast = (members: number[]): number[] =>
    broadcast.length === 0 ? members : mergeSorted(members, broadcast)

  if (touched.includes('all')) {
    const keys = new Set<string>()
    for (const k of touched) if (typeof k !== 'string') for (const key of k) keys.add(key)
    return [{ keys: [...keys].sort(), members: items.map((_, i) => i) }]
  }

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
  for (const keys of touched) {
    if (typeof keys === 'string' || keys.length === 0) continue
    const first = find(idOf(keys[0]))
    for (let k = 1; k < keys.length; k++) {
      const other = find(idOf(keys[k]))
      if (other !== first) parent[other] = first
    }
  }

  const byRoot = new Map<number, Partition>()
  const partitions: Partition[] = []
  touched.forEach((keys, index) => {
    if (typeof keys === 'string') return
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
    byRoot.get(find(id))!.keys.push(key)
  })
  for (const partition of byRoot.values()) {
    partition.keys.sort()
    partition.members = withBroadcast(partition.members)
  }
  return partitions
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++])
    else out.push(b[j++])
  }
  return out
}
