/**
 * An order-statistic B+tree of (score, member) pairs: the ordered half of a sorted set (the other half is the
 * member -> score table in zset.ts). Redis uses a skip list with spans; a B+tree gives the same bounds, O(log n)
 * insert, delete, rank and select-by-rank, with far fewer objects per element, which matters in a garbage-collected
 * heap at a million elements.
 *
 * Order is Redis's: by score, then by member bytes (members are latin1 strings, so JS string comparison is memcmp
 * order with shorter-prefix-first, exactly sdscmp). -0 and 0 compare equal, as doubles do in C.
 *
 * Shape:
 * - Leaves hold up to LEAF_MAX pairs in two parallel arrays and are chained both ways for range walks.
 * - Inner nodes hold children, each child's element count (for rank arithmetic) and a lower-bound key per child:
 *   everything left of child i is < key i <= everything in child i. Key 0 is never used for routing (the
 *   leftmost child takes everything smaller), so it may be stale on the tree's leftmost spine.
 * - Nodes below a quarter full are merged with or refilled from a sibling, so height stays O(log n).
 */

const LEAF_MAX = 64
const LEAF_MIN = 16
const INNER_MAX = 64
const INNER_MIN = 16

export class Leaf {
  members: string[] = []
  scores: number[] = []
  next: Leaf | null = null
  prev: Leaf | null = null
}

class Inner {
  children: TreeNode[] = []
  /** Element count of each child's subtree. */
  sizes: number[] = []
  /** Lower-bound key of each child (see the file comment). */
  keyScores: number[] = []
  keyMembers: string[] = []
}

type TreeNode = Leaf | Inner

/** Total order of two pairs: negative, zero or positive. */
export function compareEntries(scoreA: number, memberA: string, scoreB: number, memberB: string): number {
  if (scoreA < scoreB) return -1
  if (scoreA > scoreB) return 1
  if (memberA < memberB) return -1
  if (memberA > memberB) return 1
  return 0
}

/** A monotone predicate over the order: false for a prefix of the pairs, true for the rest. */
export type Boundary = (score: number, member: string) => boolean

/** A position in the tree: a leaf and an index in it. Moving it walks the leaf chain, O(1) amortized per step. */
export class TreeCursor {
  constructor(
    public leaf: Leaf | null,
    public index: number,
  ) {}

  get valid(): boolean {
    return this.leaf !== null
  }
  get member(): string {
    return this.leaf!.members[this.index]
  }
  get score(): number {
    return this.leaf!.scores[this.index]
  }
  next(): boolean {
    const leaf = this.leaf
    if (leaf === null) return false
    if (++this.index < leaf.members.length) return true
    this.leaf = leaf.next
    this.index = 0
    return this.leaf !== null
  }
  prev(): boolean {
    const leaf = this.leaf
    if (leaf === null) return false
    if (--this.index >= 0) return true
    this.leaf = leaf.prev
    this.index = this.leaf === null ? 0 : this.leaf.members.length - 1
    return this.leaf !== null
  }
}

export class ScoreTree {
  private root: TreeNode = new Leaf()
  private count = 0
  private first: Leaf = this.root as Leaf
  private last: Leaf = this.root as Leaf
  /** The descent path of the current insert/delete, reused to avoid allocating per operation. */
  private pathNodes: Inner[] = []
  private pathIndex: number[] = []

  get size(): number {
    return this.count
  }

  /** Inserts a pair that is not in the tree (the caller's member table guarantees it). */
  insert(score: number, member: string): void {
    const depth = this.descend(score, member)
    const leaf = this.leafAtPathEnd(depth)
    const at = leafUpperBound(leaf, score, member)
    leaf.members.splice(at, 0, member)
    leaf.scores.splice(at, 0, score)
    this.count++
    for (let d = 0; d < depth; d++) this.pathNodes[d].sizes[this.pathIndex[d]]++
    if (leaf.members.length > LEAF_MAX) this.splitUpwards(leaf, depth)
  }

  /** Removes a pair; returns false if it was not there. */
  delete(score: number, member: string): boolean {
    const depth = this.descend(score, member)
    const leaf = this.leafAtPathEnd(depth)
    const at = leafLowerBound(leaf, score, member)
    if (at >= leaf.members.length || leaf.members[at] !== member || leaf.scores[at] !== score) return false
    leaf.members.splice(at, 1)
    leaf.scores.splice(at, 1)
    this.count--
    for (let d = 0; d < depth; d++) this.pathNodes[d].sizes[this.pathIndex[d]]--
    this.rebalanceUpwards(depth)
    return true
  }

  /** 0-based rank of a pair known to be in the tree. */
  rank(score: number, member: string): number {
    let node = this.root
    let rank = 0
    while (node instanceof Inner) {
      const i = routeIndex(node, score, member)
      for (let j = 0; j < i; j++) rank += node.sizes[j]
      node = node.children[i]
    }
    return rank + leafLowerBound(node, score, member)
  }

  /** Rank of the first pair for which `boundary` holds (`size` if none). */
  rankOf(boundary: Boundary): number {
    let node = this.root
    let rank = 0
    while (node instanceof Inner) {
      // The last child whose lower bound does not yet satisfy the boundary holds the first pair that does (or the
      // first pair that does is the first of the next child, which the rank arithmetic covers).
      let lo = 1
      let hi = node.children.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (boundary(node.keyScores[mid], node.keyMembers[mid])) hi = mid
        else lo = mid + 1
      }
      const i = lo - 1
      for (let j = 0; j < i; j++) rank += node.sizes[j]
      node = node.children[i]
    }
    let lo = 0
    let hi = node.members.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (boundary(node.scores[mid], node.members[mid])) hi = mid
      else lo = mid + 1
    }
    return rank + lo
  }

  /** A cursor at `rank` (0 <= rank < size), or an invalid cursor when out of range. */
  at(rank: number): TreeCursor {
    if (rank < 0 || rank >= this.count) return new TreeCursor(null, 0)
    let node = this.root
    let rest = rank
    while (node instanceof Inner) {
      let i = 0
      while (rest >= node.sizes[i]) rest -= node.sizes[i++]
      node = node.children[i]
    }
    return new TreeCursor(node, rest)
  }

  /** Cursor at the smallest pair (invalid when empty). */
  head(): TreeCursor {
    return this.count === 0 ? new TreeCursor(null, 0) : new TreeCursor(this.first, 0)
  }

  /** Cursor at the largest pair (invalid when empty). */
  tail(): TreeCursor {
    return this.count === 0 ? new TreeCursor(null, 0) : new TreeCursor(this.last, this.last.members.length - 1)
  }

  /** Checks every structural invariant; for tests. Throws on the first violation. */
  verify(): void {
    const leaves: Leaf[] = []
    const walk = (node: TreeNode, isRoot: boolean): number => {
      if (node instanceof Leaf) {
        if (!isRoot && node.members.length < 1) throw new Error('empty non-root leaf')
        if (node.members.length > LEAF_MAX) throw new Error('overfull leaf')
        for (let i = 1; i < node.members.length; i++) {
          if (compareEntries(node.scores[i - 1], node.members[i - 1], node.scores[i], node.members[i]) >= 0) {
            throw new Error('leaf out of order')
          }
        }
        leaves.push(node)
        return node.members.length
      }
      if (node.children.length > INNER_MAX || (!isRoot && node.children.length < 2)) throw new Error('bad fanout')
      let total = 0
      for (let i = 0; i < node.children.length; i++) {
        const size = walk(node.children[i], false)
        if (size !== node.sizes[i]) throw new Error('stale size')
        total += size
      }
      return total
    }
    if (walk(this.root, true) !== this.count) throw new Error('bad count')
    if (leaves[0] !== this.first || leaves[leaves.length - 1] !== this.last) throw new Error('bad ends')
    for (let i = 0; i < leaves.length; i++) {
      if (leaves[i].prev !== (leaves[i - 1] ?? null) || leaves[i].next !== (leaves[i + 1] ?? null)) {
        throw new Error('broken leaf chain')
      }
    }
    // Routing keys: everything before child i is < key i <= everything in child i.
    const check = (node: TreeNode, lowS: number, lowM: string | null): void => {
      if (node instanceof Leaf) {
        if (lowM !== null && node.members.length > 0) {
          if (compareEntries(lowS, lowM, node.scores[0], node.members[0]) > 0) throw new Error('leaf below key')
        }
        return
      }
      for (let i = 0; i < node.children.length; i++) {
        if (i > 0) check(node.children[i], node.keyScores[i], node.keyMembers[i])
        else check(node.children[i], lowS, lowM)
      }
    }
    check(this.root, 0, null)
  }

  // --- internals ---

  /** Walks from the root to the leaf where (score, member) belongs, filling the path; returns the depth. */
  private descend(score: number, member: string): number {
    let node = this.root
    let depth = 0
    while (node instanceof Inner) {
      const i = routeIndex(node, score, member)
      this.pathNodes[depth] = node
      this.pathIndex[depth] = i
      depth++
      node = node.children[i]
    }
    return depth
  }

  private leafAtPathEnd(depth: number): Leaf {
    if (depth === 0) return this.root as Leaf
    return this.pathNodes[depth - 1].children[this.pathIndex[depth - 1]] as Leaf
  }

  private splitUpwards(leaf: Leaf, depth: number): void {
    // Split the leaf in two halves; the right half becomes a new sibling.
    const half = leaf.members.length >>> 1
    const right = new Leaf()
    right.members = leaf.members.splice(half)
    right.scores = leaf.scores.splice(half)
    right.next = leaf.next
    right.prev = leaf
    if (leaf.next) leaf.next.prev = right
    else this.last = right
    leaf.next = right
    let newNode: TreeNode = right
    let newSize = right.members.length
    let keyScore = right.scores[0]
    let keyMember = right.members[0]
    let oldSize = leaf.members.length
    for (let d = depth - 1; d >= 0; d--) {
      const parent = this.pathNodes[d]
      const i = this.pathIndex[d]
      parent.sizes[i] = oldSize
      parent.children.splice(i + 1, 0, newNode)
      parent.sizes.splice(i + 1, 0, newSize)
      parent.keyScores.splice(i + 1, 0, keyScore)
      parent.keyMembers.splice(i + 1, 0, keyMember)
      if (parent.children.length <= INNER_MAX) return
      const mid = parent.children.length >>> 1
      const sibling = new Inner()
      sibling.children = parent.children.splice(mid)
      sibling.sizes = parent.sizes.splice(mid)
      sibling.keyScores = parent.keyScores.splice(mid)
      sibling.keyMembers = parent.keyMembers.splice(mid)
      newNode = sibling
      newSize = sum(sibling.sizes)
      keyScore = sibling.keyScores[0]
      keyMember = sibling.keyMembers[0]
      oldSize = sum(parent.sizes)
    }
    // The root itself split: grow the tree by one level.
    const oldRoot = this.root
    const root = new Inner()
    root.children = [oldRoot, newNode]
    root.sizes = [oldSize, newSize]
    root.keyScores = [0, keyScore]
    root.keyMembers = ['', keyMember]
    this.root = root
  }

  private rebalanceUpwards(depth: number): void {
    for (let d = depth - 1; d >= 0; d--) {
      const parent = this.pathNodes[d]
      const i = this.pathIndex[d]
      const child = parent.children[i]
      const underfull =
        child instanceof Leaf ? child.members.length < LEAF_MIN : (child as Inner).children.length < INNER_MIN
      if (!underfull) return
      // Pair the child with a sibling: (left, right) = (i-1, i) or (i, i+1).
      const leftIndex = i > 0 ? i - 1 : i
      if (leftIndex + 1 >= parent.children.length) return // an only child; the root collapse below handles it
      if (child instanceof Leaf) this.fixLeaves(parent, leftIndex)
      else this.fixInners(parent, leftIndex)
    }
    while (this.root instanceof Inner && this.root.children.length === 1) this.root = this.root.children[0]
  }

  /** Merges or evens out two adjacent leaves of `parent` at (i, i+1). */
  private fixLeaves(parent: Inner, i: number): void {
    const left = parent.children[i] as Leaf
    const right = parent.children[i + 1] as Leaf
    const total = left.members.length + right.members.length
    if (total <= LEAF_MAX) {
      for (let j = 0; j < right.members.length; j++) {
        left.members.push(right.members[j])
        left.scores.push(right.scores[j])
      }
      left.next = right.next
      if (right.next) right.next.prev = left
      else this.last = left
      removeChild(parent, i + 1)
      parent.sizes[i] = total
      return
    }
    const want = total >>> 1
    if (left.members.length < want) {
      const move = want - left.members.length
      const ms = right.members.splice(0, move)
      const ss = right.scores.splice(0, move)
      for (let j = 0; j < move; j++) {
        left.members.push(ms[j])
        left.scores.push(ss[j])
      }
    } else {
      const move = left.members.length - want
      right.members.unshift(...left.members.splice(want, move))
      right.scores.unshift(...left.scores.splice(want, move))
    }
    parent.sizes[i] = left.members.length
    parent.sizes[i + 1] = right.members.length
    parent.keyScores[i + 1] = right.scores[0]
    parent.keyMembers[i + 1] = right.members[0]
  }

  /** Merges or evens out two adjacent inner nodes of `parent` at (i, i+1). */
  private fixInners(parent: Inner, i: number): void {
    const left = parent.children[i] as Inner
    const right = parent.children[i + 1] as Inner
    // The right node's key 0 is exactly its routing key in the parent; keep it so moved children stay routable.
    right.keyScores[0] = parent.keyScores[i + 1]
    right.keyMembers[0] = parent.keyMembers[i + 1]
    const total = left.children.length + right.children.length
    if (total <= INNER_MAX) {
      left.children.push(...right.children)
      left.sizes.push(...right.sizes)
      left.keyScores.push(...right.keyScores)
      left.keyMembers.push(...right.keyMembers)
      parent.sizes[i] += parent.sizes[i + 1]
      removeChild(parent, i + 1)
      return
    }
    const want = total >>> 1
    if (left.children.length < want) {
      const move = want - left.children.length
      left.children.push(...right.children.splice(0, move))
      left.sizes.push(...right.sizes.splice(0, move))
      left.keyScores.push(...right.keyScores.splice(0, move))
      left.keyMembers.push(...right.keyMembers.splice(0, move))
    } else {
      const move = left.children.length - want
      right.children.unshift(...left.children.splice(want, move))
      right.sizes.unshift(...left.sizes.splice(want, move))
      right.keyScores.unshift(...left.keyScores.splice(want, move))
      right.keyMembers.unshift(...left.keyMembers.splice(want, move))
    }
    parent.sizes[i] = sum(left.sizes)
    parent.sizes[i + 1] = sum(right.sizes)
    parent.keyScores[i + 1] = right.keyScores[0]
    parent.keyMembers[i + 1] = right.keyMembers[0]
  }
}

/** The child of `node` whose range holds (score, member): the last child with key <= the pair, or child 0. */
function routeIndex(node: Inner, score: number, member: string): number {
  let lo = 1
  let hi = node.children.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareEntries(node.keyScores[mid], node.keyMembers[mid], score, member) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

/** First index in the leaf whose pair is >= (score, member). */
function leafLowerBound(leaf: Leaf, score: number, member: string): number {
  let lo = 0
  let hi = leaf.members.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareEntries(leaf.scores[mid], leaf.members[mid], score, member) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index in the leaf whose pair is > (score, member). */
function leafUpperBound(leaf: Leaf, score: number, member: string): number {
  let lo = 0
  let hi = leaf.members.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareEntries(leaf.scores[mid], leaf.members[mid], score, member) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

function removeChild(node: Inner, i: number): void {
  node.children.splice(i, 1)
  node.sizes.splice(i, 1)
  node.keyScores.splice(i, 1)
  node.keyMembers.splice(i, 1)
}

function sum(values: number[]): number {
  let total = 0
  for (let i = 0; i < values.length; i++) total += values[i]
  return total
}
