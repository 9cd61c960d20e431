/**
 * LCS: the longest common subsequence of two strings, as Redis 7.0's lcsCommand computes it — the same dynamic
 * programming table (so the same subsequence is chosen among equal-length ones), the same walk back emitting the
 * matched ranges from the end of the strings, and the same limits: the table may not exceed proto-max-bulk-len bytes.
 */
import { isString, type RedisValue } from '../keyspace/values.ts'
import { Errors, MapReply, type Reply, ReplyError } from '../protocol/reply.ts'
import { isOption, keyOf, parseInt64 } from './args.ts'
import { type CommandContext, command } from './types.ts'

const EMPTY = Buffer.alloc(0)
const UINT32_MAX = 4294967295

function stringOrEmpty(value: RedisValue | undefined): Buffer | undefined {
  if (value === undefined) return EMPTY
  return isString(value) ? value : undefined
}

function lcs(ctx: CommandContext): Reply {
  const { argv } = ctx
  const a = stringOrEmpty(ctx.db.get(keyOf(argv, 1)))
  const b = stringOrEmpty(ctx.db.get(keyOf(argv, 2)))
  if (a === undefined || b === undefined) return new ReplyError('ERR The specified keys must contain string values')

  let getLen = false
  let getIdx = false
  let withMatchLen = false
  let minMatchLen = 0
  for (let j = 3; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j
    if (isOption(argv[j], 'IDX')) getIdx = true
    else if (isOption(argv[j], 'LEN')) getLen = true
    else if (isOption(argv[j], 'WITHMATCHLEN')) withMatchLen = true
    else if (isOption(argv[j], 'MINMATCHLEN') && moreArgs > 0) {
      const value = parseInt64(argv[++j])
      if (value === null) return Errors.notInteger()
      // Beyond any string's length, a huge minimum simply filters every range out.
      minMatchLen = value < 0n ? 0 : value > BigInt(UINT32_MAX) ? UINT32_MAX + 1 : Number(value)
    } else return Errors.syntax()
  }
  if (getLen && getIdx) return new ReplyError('ERR If you want both the length and indexes, please just use IDX.')
  if (a.length >= UINT32_MAX - 1 || b.length >= UINT32_MAX - 1) return new ReplyError('ERR String too long for LCS')

  const alen = a.length
  const blen = b.length
  const width = blen + 1
  const tableBytes = (alen + 1) * width * 4
  if (tableBytes > ctx.engine.config.getNumber('proto-max-bulk-len')) {
    return new ReplyError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len')
  }
  let table: Uint32Array
  try {
    table = new Uint32Array((alen + 1) * width)
  } catch {
    return new ReplyError('ERR Insufficient memory, failed allocating transient memory for LCS')
  }
  // Row 0 and column 0 stay 0: the LCS with an empty prefix is empty.
  for (let i = 1; i <= alen; i++) {
    const row = i * width
    const above = row - width
    const ai = a[i - 1]
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) table[row + j] = table[above + j - 1] + 1
      else {
        const up = table[above + j]
        const left = table[row + j - 1]
        table[row + j] = Math.max(up, left)
      }
    }
  }

  const length = table[alen * width + blen]
  if (getLen) return length
  const result = Buffer.allocUnsafe(length)
  const matches: Reply[] = []
  let idx = length
  // alen in aStart means "no range open", as in Redis.
  let aStart = alen
  let aEnd = 0
  let bStart = 0
  let bEnd = 0
  let i = alen
  let j = blen
  while (i > 0 && j > 0) {
    let emitRange = false
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]
      if (aStart === alen) {
        aStart = aEnd = i - 1
        bStart = bEnd = j - 1
      } else if (aStart === i && bStart === j) {
        aStart--
        bStart--
      } else emitRange = true
      if (aStart === 0 || bStart === 0) emitRange = true
      idx--
      i--
      j--
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--
      else j--
      if (aStart !== alen) emitRange = true
    }
    if (emitRange) {
      const matchLen = aEnd - aStart + 1
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) {
        const range: Reply[] = [
          [aStart, aEnd],
          [bStart, bEnd],
        ]
        if (withMatchLen) range.push(matchLen)
        matches.push(range)
      }
      aStart = alen
    }
  }
  if (!getIdx) return result
  return new MapReply([
    ['matches', matches],
    ['len', length],
  ])
}

export const lcsCommand = command('lcs', -3, ['readonly'], [1, 2, 1], ['read', 'string', 'slow'], lcs)
