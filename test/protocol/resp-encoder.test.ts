import { describe, expect, it } from 'vitest'
import { encodeReply, ReplyWriter } from '../../src/protocol/resp-encoder.ts'
import {
  BoolReply,
  DoubleReply,
  MapReply,
  NIL_ARRAY,
  OK,
  PushReply,
  type Reply,
  ReplyError,
  SetReply,
  SimpleString,
  VerbatimReply,
} from '../../src/protocol/reply.ts'

const resp2 = (r: Reply) => encodeReply(r, 2).toString('latin1')
const resp3 = (r: Reply) => encodeReply(r, 3).toString('latin1')

describe('RESP2 and RESP3 encoding of every reply kind', () => {
  const cases: Array<[string, Reply, string, string]> = [
    ['nil bulk', null, '$-1\r\n', '_\r\n'],
    ['bulk', Buffer.from('bar'), '$3\r\nbar\r\n', '$3\r\nbar\r\n'],
    ['empty bulk', Buffer.alloc(0), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['UTF-8 text counts bytes', 'héllo', '$6\r\nh\xc3\xa9llo\r\n', '$6\r\nh\xc3\xa9llo\r\n'],
    ['integer', 42, ':42\r\n', ':42\r\n'],
    ['negative integer', -7, ':-7\r\n', ':-7\r\n'],
    ['fractional number truncates toward zero', -3.99, ':-3\r\n', ':-3\r\n'],
    ['bigint', 9223372036854775807n, ':9223372036854775807\r\n', ':9223372036854775807\r\n'],
    ['status', OK, '+OK\r\n', '+OK\r\n'],
    ['error', new ReplyError('ERR boom'), '-ERR boom\r\n', '-ERR boom\r\n'],
    ['error with newlines', new ReplyError('ERR a\r\nb\nc'), '-ERR a  b c\r\n', '-ERR a  b c\r\n'],
    ['nil array', NIL_ARRAY, '*-1\r\n', '_\r\n'],
    ['empty array', [], '*0\r\n', '*0\r\n'],
    ['array', [1, Buffer.from('a'), null], '*3\r\n:1\r\n$1\r\na\r\n$-1\r\n', '*3\r\n:1\r\n$1\r\na\r\n_\r\n'],
    ['nested array', [[1], []], '*2\r\n*1\r\n:1\r\n*0\r\n', '*2\r\n*1\r\n:1\r\n*0\r\n'],
    ['double', new DoubleReply(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['double %.17g', new DoubleReply(0.1), '$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n'],
    ['double inf', new DoubleReply(Number.POSITIVE_INFINITY), '$3\r\ninf\r\n', ',inf\r\n'],
    ['double -inf', new DoubleReply(Number.NEGATIVE_INFINITY), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['true', new BoolReply(true), ':1\r\n', '#t\r\n'],
    ['false', new BoolReply(false), '$-1\r\n', '#f\r\n'],
    [
      'map',
      new MapReply([
        ['a', 1],
        ['b', null],
      ]),
      '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n',
      '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n',
    ],
    ['set', new SetReply([Buffer.from('x')]), '*1\r\n$1\r\nx\r\n', '~1\r\n$1\r\nx\r\n'],
    ['verbatim', new VerbatimReply('txt', 'hi'), '$2\r\nhi\r\n', '=6\r\ntxt:hi\r\n'],
    [
      'push',
      new PushReply(['message', 'ch', Buffer.from('m')]),
      '*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n',
      '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n',
    ],
    ['status inside array', [new SimpleString('QUEUED')], '*1\r\n+QUEUED\r\n', '*1\r\n+QUEUED\r\n'],
  ]
  for (const [name, reply, two, three] of cases) {
    it(`${name}: RESP2`, () => expect(resp2(reply)).toBe(two))
    it(`${name}: RESP3`, () => expect(resp3(reply)).toBe(three))
  }

  it('is binary safe', () => {
    const payload = Buffer.from([0, 13, 10, 255, 128])
    expect(encodeReply(payload).equals(Buffer.concat([Buffer.from('$5\r\n'), payload, Buffer.from('\r\n')]))).toBe(true)
    const big = Buffer.alloc(1000)
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff
    expect(encodeReply(big).subarray(7, 1007).equals(big)).toBe(true)
  })

  it('keeps error messages as latin1 bytes', () => {
    expect(encodeReply(new ReplyError("ERR Protocol error: expected '$', got '\xff'")).at(-4)).toBe(0xff)
  })
})

describe('ReplyWriter batches', () => {
  it('concatenates several replies into one buffer, in order', () => {
    const w = new ReplyWriter()
    const big = Buffer.alloc(100_000, 'b')
    w.write(OK, 2)
    w.write(big, 2)
    w.write(7, 2)
    expect(w.byteLength).toBe(5 + 9 + 100_000 + 2 + 4)
    const out = w.take()
    expect(out.length).toBe(5 + 9 + 100_000 + 2 + 4)
    expect(out.subarray(0, 14).toString()).toBe('+OK\r\n$100000\r\n')
    expect(out.subarray(14, 100_014).equals(big)).toBe(true)
    expect(out.subarray(100_014).toString()).toBe('\r\n:7\r\n')
  })

  it('is empty again after take', () => {
    const w = new ReplyWriter()
    w.write(1, 2)
    w.take()
    expect(w.byteLength).toBe(0)
    w.write(2, 2)
    expect(w.take().toString()).toBe(':2\r\n')
  })

  it('handles many small replies', () => {
    const w = new ReplyWriter()
    for (let i = 0; i < 5000; i++) w.write(Buffer.from(`v${i}`), 2)
    const out = w.take().toString()
    expect(out.startsWith('$2\r\nv0\r\n$2\r\nv1\r\n')).toBe(true)
    expect(out.endsWith('$5\r\nv4999\r\n')).toBe(true)
  })

  it('keeps batches of interleaved writers apart (they share one slab)', () => {
    const a = new ReplyWriter()
    const b = new ReplyWriter()
    a.write(Buffer.from('a1'), 2)
    b.write(Buffer.from('b1'), 2)
    a.write(2, 2)
    b.write(OK, 2)
    a.write([Buffer.from('x')], 2)
    expect(a.take().toString()).toBe('$2\r\na1\r\n:2\r\n*1\r\n$1\r\nx\r\n')
    expect(b.take().toString()).toBe('$2\r\nb1\r\n+OK\r\n')
  })

  it('never overwrites a batch it handed out, across slab boundaries', () => {
    const w = new ReplyWriter()
    w.write(Buffer.from('first'), 2)
    const first = w.take()
    const copy = Buffer.from(first)
    const other = new ReplyWriter()
    for (let i = 0; i < 50_000; i++) other.write(Buffer.from(`filler-${i}`), 2)
    const filler = other.take()
    expect(first.equals(copy)).toBe(true)
    expect(filler.length).toBeGreaterThan(64 * 1024)
    expect(filler.subarray(0, 16).toString()).toBe('$8\r\nfiller-0\r\n$8')
  })

  it('sends large payloads by reference and small ones by copy, with the same bytes', () => {
    const big = Buffer.alloc(10_000, 'B')
    const w = new ReplyWriter()
    w.write(Buffer.from('s'), 2)
    w.write(big, 2)
    w.write(Buffer.from('t'), 2)
    const out = w.take()
    expect(out.toString()).toBe(`$1\r\ns\r\n$10000\r\n${'B'.repeat(10_000)}\r\n$1\r\nt\r\n`)
  })

  it('encodes headers and integers of every size', () => {
    for (const n of [0, 9, 10, 99, 100, 12345, 4294967295, 4294967296, -1, -4294967296, 2 ** 53 - 1]) {
      expect(resp2(n)).toBe(`:${n}\r\n`)
    }
    for (const len of [0, 9, 10, 100, 1000, 70_000]) {
      expect(encodeReply(Buffer.alloc(len)).subarray(0, `$${len}\r\n`.length).toString()).toBe(`$${len}\r\n`)
    }
  })

  it('writes long status and error lines', () => {
    const long = 'x'.repeat(100_000)
    expect(resp2(new SimpleString(long))).toBe(`+${long}\r\n`)
    expect(resp2(new ReplyError(`ERR ${long}`))).toBe(`-ERR ${long}\r\n`)
  })
})
