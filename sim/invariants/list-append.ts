import type { History, HistoryReply } from '../linearizability/history.ts'
import { indexed, type InvariantViolation, isError, mayExpire, type Op, returnOf, writtenKeys } from './types.ts'

/**
 * List-append reads are prefixes of each other. Appends (the list-append script, RPUSH) add unique values to a list;
 * reads (the script's own reply, LRANGE key 0 -1) see the whole list. For each list key:
 *  - every read is a prefix of the longest one (so any two reads are prefixes of each other);
 *  - a read returned before another was invoked is no longer than it (lists only grow);
 *  - no value appears twice, and every value was appended by an operation invoked before the read returned;
 *  - appends acknowledged before a read was invoked are in it;
 *  - a value sits where its append put it: last in the script's own reply, at RPUSH's reply - 1.
 * Keys written by anything else, or that can expire, are skipped.
 */

export interface ListAppendOptions {
  script?: string
}

interface Append {
  op: Op
  id: number
  value: string
  /** Where the append says its value went (index), when it says. */
  position?: number
}

interface Read {
  op: Op
  id: number
  items: string[]
}

export function checkListAppends(history: History, options: ListAppendOptions = {}): InvariantViolation[] {
  const script = options.script ?? 'list-append'
  const appends = new Map<string, Append[]>()
  const reads = new Map<string, Read[]>()
  const skipped = new Set<string>()
  const push = <T>(map: Map<string, T[]>, key: string, item: T) => {
    let list = map.get(key)
    if (!list) map.set(key, (list = []))
    list.push(item)
  }
  for (const { op, id } of indexed(history)) {
    const input = op.input
    const known = op.return !== null
    // An append that answered with an error (refused while a script was busy, a wrong type) wrote nothing.
    const failed = known && isError(op.output)
    if (
      failed &&
      (('script' in input && input.script === script) || ('argv' in input && input.argv[0].toUpperCase() === 'RPUSH'))
    ) {
      continue
    }
    if ('script' in input && input.script === script) {
      const items = known ? stringList(op.output) : undefined
      push(appends, input.keys[0], { op, id, value: input.args[0], position: items ? items.length - 1 : undefined })
      if (items) push(reads, input.keys[0], { op, id, items })
    } else if ('argv' in input && input.argv[0].toUpperCase() === 'RPUSH' && input.argv.length === 3) {
      const length = known && typeof op.output === 'number' ? op.output : undefined
      push(appends, input.argv[1], {
        op,
        id,
        value: input.argv[2],
        position: length === undefined ? undefined : length - 1,
      })
    } else if ('argv' in input && input.argv[0].toUpperCase() === 'LRANGE') {
      const [, key, start, stop] = input.argv
      const items = known ? stringList(op.output) : undefined
      if (start === '0' && stop === '-1' && items) push(reads, key, { op, id, items })
    } else {
      for (const key of writtenKeys(input)) skipped.add(key)
    }
    for (const key of appends.keys()) if (mayExpire(input, key)) skipped.add(key)
  }
  const violations: InvariantViolation[] = []
  for (const [key, list] of appends) {
    if (!skipped.has(key)) violations.push(...checkList(key, list, reads.get(key) ?? []))
  }
  return violations
}

function stringList(reply: HistoryReply | undefined): string[] | undefined {
  return Array.isArray(reply) && reply.every((item) => typeof item === 'string') ? (reply as string[]) : undefined
}

function checkList(key: string, appends: Append[], reads: Read[]): InvariantViolation[] {
  const violations: InvariantViolation[] = []
  const report = (message: string, operations: number[]) =>
    violations.push({ invariant: 'list-append', message: `list ${key}: ${message}`, operations, keys: [key] })
  const byValue = new Map(appends.map((append) => [append.value, append]))

  for (const read of reads) {
    const seen = new Set<string>()
    read.items.forEach((value, index) => {
      if (seen.has(value)) report(`read ${read.id} holds ${JSON.stringify(value)} twice`, [read.id])
      seen.add(value)
      const append = byValue.get(value)
      if (!append || append.op.invoke > returnOf(read.op)) {
        report(`read ${read.id} holds ${JSON.stringify(value)}, which no append had written yet`, [read.id])
      } else if (append.position !== undefined && append.position !== index) {
        report(
          `read ${read.id} holds ${JSON.stringify(value)} at index ${index}, but its append (operation ${append.id}) ` +
            `put it at ${append.position}`,
          [read.id, append.id],
        )
      }
    })
    for (const append of appends) {
      if (append.op.return !== null && returnOf(append.op) < read.op.invoke && !seen.has(append.value)) {
        report(`read ${read.id} misses ${JSON.stringify(append.value)}, acknowledged before it began`, [
          read.id,
          append.id,
        ])
      }
    }
  }

  const longest = reads.reduce<Read | undefined>(
    (best, r) => (!best || r.items.length > best.items.length ? r : best),
    undefined,
  )
  if (longest) {
    for (const read of reads) {
      if (!isPrefix(read.items, longest.items)) {
        report(`reads ${read.id} and ${longest.id} are not prefixes of each other`, [read.id, longest.id])
      }
    }
  }
  for (const earlier of reads) {
    for (const later of reads) {
      if (returnOf(earlier.op) < later.op.invoke && earlier.items.length > later.items.length) {
        report(`read ${later.id} is shorter than read ${earlier.id}, which finished before it began`, [
          earlier.id,
          later.id,
        ])
      }
    }
  }
  return violations
}

function isPrefix(short: readonly string[], long: readonly string[]): boolean {
  if (short.length > long.length) return false
  for (let i = 0; i < short.length; i++) if (short[i] !== long[i]) return false
  return true
}
