import { describe, expect, it } from 'vitest'
import { ProtocolError, RespParser, splitArgs, string2ll } from '../../src/protocol/resp-parser.ts'

const b = (s: string) => Buffer.from(s, 'latin1')
const text = (argv: Buffer[]) => argv.map((a) => a.toString('latin1'))

/** Feeds `input` and returns the commands as strings and the error reason, if any. */
function parse(input: string | Buffer, parser = new RespParser()) {
  const { commands, error } = parser.feed(typeof input === 'string' ? b(input) : input)
  return { commands: commands.map(text), error: error?.reason ?? null, parser }
}

function unauthenticated(maxBulkLen = 512 * 1024 * 1024) {
  return new RespParser({ maxBulkLen: () => maxBulkLen, authenticated: () => false })
}

describe('multibulk', () => {
  it('parses one command', () => {
    expect(parse('*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n').commands).toEqual([['GET', 'key']])
  })

  it('parses pipelined commands in order', () => {
    const input = '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n'
    expect(parse(input).commands).toEqual([['PING'], ['ECHO', 'a'], ['SET', 'k', '']])
  })

  it('skips *0 and negative counts like Redis', () => {
    expect(parse('*0\r\n*-1\r\n*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n').commands).toEqual([['PING']])
  })

  it('is binary safe: CR, LF and NUL inside bulks', () => {
    const payload = Buffer.from([0, 13, 10, 255, 42, 36, 0])
    const input = Buffer.concat([b('*2\r\n$4\r\nECHO\r\n$7\r\n'), payload, b('\r\n')])
    const { commands } = new RespParser().feed(input)
    expect(commands).toHaveLength(1)
    expect(commands[0][1].equals(payload)).toBe(true)
  })

  it('returns independent copies of small arguments (the input buffer is reused)', () => {
    const parser = new RespParser()
    const first = parser.feed(b('*2\r\n$4\r\nECHO\r\n$3\r\naaa\r\n*2\r\n$4\r\nECHO\r\n$3\r\nbb')).commands
    parser.feed(b('b\r\n*2\r\n$4\r\nECHO\r\n$3\r\nccc\r\n'))
    expect(text(first[0])).toEqual(['ECHO', 'aaa'])
  })

  it('does not check the two bytes after a payload, as Redis skips them', () => {
    expect(parse('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n').commands).toEqual([['PING'], ['PING']])
  })

  it('waits for incomplete input at every position', () => {
    const input = '*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n'
    for (let cut = 0; cut < input.length; cut++) {
      const parser = new RespParser()
      expect(parse(input.slice(0, cut), parser).commands).toEqual([])
      expect(parse(input.slice(cut), parser).commands).toEqual([['GET', 'key']])
    }
  })

  it('hands out big arguments whole, across many chunks', () => {
    const value = Buffer.alloc(200_000, 'v')
    const input = Buffer.concat([
      b(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${value.length}\r\n`),
      value,
      b('\r\n*1\r\n$4\r\nPING\r\n'),
    ])
    const parser = new RespParser()
    const got: Buffer[][] = []
    for (let i = 0; i < input.length; i += 7000) got.push(...parser.feed(input.subarray(i, i + 7000)).commands)
    expect(got).toHaveLength(2)
    expect(got[0][2].equals(value)).toBe(true)
    expect(text(got[1])).toEqual(['PING'])
  })

  it('keeps a big argument intact after later input arrives (no aliasing of parser storage)', () => {
    const value = Buffer.alloc(100_000, 'x')
    const parser = new RespParser()
    const head = b(`*2\r\n$4\r\nECHO\r\n$${value.length}\r\n`)
    parser.feed(head)
    const { commands } = parser.feed(Buffer.concat([value, b('\r\n*2\r\n$4\r\nECHO\r\n$5\r\n')]))
    parser.feed(Buffer.alloc(60_000, 'y'))
    expect(commands[0][1].equals(value)).toBe(true)
  })
})

describe('multibulk errors (Redis 7.0 strings)', () => {
  const cases: Array<[string, string]> = [
    ['*x\r\n', 'invalid multibulk length'],
    ['*\r\n', 'invalid multibulk length'],
    ['*01\r\n', 'invalid multibulk length'],
    ['*-0\r\n', 'invalid multibulk length'],
    ['*+1\r\n', 'invalid multibulk length'],
    ['* 1\r\n', 'invalid multibulk length'],
    ['*2147483648\r\n', 'invalid multibulk length'],
    ['*-9223372036854775809\r\n', 'invalid multibulk length'],
    ['*99999999999999999999\r\n', 'invalid multibulk length'],
    ['*1\r\n$x\r\n', 'invalid bulk length'],
    ['*1\r\n$-1\r\n', 'invalid bulk length'],
    ['*1\r\n$04\r\n', 'invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'invalid bulk length'],
    ['*1\r\nx\r\n', "expected '$', got 'x'"],
    ['*2\r\n$4\r\nECHO\r\n:1\r\n', "expected '$', got ':'"],
    ['*1\r\n\xff\r\n', "expected '$', got '\xff'"],
  ]
  for (const [input, reason] of cases) {
    it(`${JSON.stringify(input)} -> ${reason}`, () => {
      expect(parse(input).error).toBe(reason)
    })
  }

  it('accepts a count up to INT_MAX and waits for the arguments', () => {
    const { commands, error, parser } = parse('*2147483647\r\n$4\r\nPING\r\n')
    expect(commands).toEqual([])
    expect(error).toBeNull()
    expect(parser.capacity).toBeLessThan(64 * 1024)
  })

  it('reports "expected $" only once the header line is complete', () => {
    expect(parse('*1\r\nxyz').error).toBeNull()
  })

  it('formats the message as Redis replies it', () => {
    expect(new ProtocolError('invalid bulk length').message).toBe('ERR Protocol error: invalid bulk length')
  })

  it('runs the commands before the error, then stops for good', () => {
    const { commands, error, parser } = parse('*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n')
    expect(commands).toEqual([['PING']])
    expect(error).toBe('invalid bulk length')
    expect(parser.feed(b('*1\r\n$4\r\nPING\r\n'))).toEqual({ commands: [], error: null })
    expect(parser.error?.reason).toBe('invalid bulk length')
  })

  it('honours proto-max-bulk-len as the limits report it', () => {
    const limit = 2 * 1024 * 1024
    const parser = new RespParser({ maxBulkLen: () => limit, authenticated: () => true })
    expect(parse(`*1\r\n$${limit}\r\n`, parser).error).toBeNull()
    expect(
      parse(`*1\r\n$${limit + 1}\r\n`, new RespParser({ maxBulkLen: () => limit, authenticated: () => true })).error,
    ).toBe('invalid bulk length')
  })

  it('applies a changed limit to the next command', () => {
    let limit = 512 * 1024 * 1024
    const parser = new RespParser({ maxBulkLen: () => limit, authenticated: () => true })
    parser.append(b('*1\r\n$4\r\nPING\r\n*1\r\n$2000000\r\n'))
    expect(parser.next()).toEqual([b('PING')])
    limit = 1024 * 1024
    expect((parser.next() as ProtocolError).reason).toBe('invalid bulk length')
  })

  it('too big mbulk count string after 64 KB without CR', () => {
    const parser = new RespParser()
    expect(parse(`*${'1'.repeat(60 * 1024)}`, parser).error).toBeNull()
    expect(parse('1'.repeat(5 * 1024), parser).error).toBe('too big mbulk count string')
  })

  it('too big bulk count string after 64 KB without CR', () => {
    expect(parse(`*1\r\n$${'1'.repeat(65 * 1024)}`).error).toBe('too big bulk count string')
    // Even when the header does not start with '$': the line is judged before its first byte.
    expect(parse(`*1\r\nx${'1'.repeat(65 * 1024)}`).error).toBe('too big bulk count string')
  })

  it('a NUL before the CR hides the header, as strchr does in Redis', () => {
    expect(parse('*1\x00\r\n$4\r\nPING\r\n')).toMatchObject({ commands: [], error: null })
    const parser = new RespParser()
    parser.feed(b('*1\x00\r\n'))
    expect(parse('x'.repeat(65 * 1024), parser).error).toBe('too big mbulk count string')
  })
})

describe('unauthenticated limits', () => {
  it('rejects more than 10 arguments', () => {
    expect(parse('*11\r\n', unauthenticated()).error).toBe('unauthenticated multibulk length')
    expect(parse('*10\r\n', unauthenticated()).error).toBeNull()
  })

  it('rejects bulks over 16 KB', () => {
    expect(parse('*1\r\n$16385\r\n', unauthenticated()).error).toBe('unauthenticated bulk length')
    expect(parse('*1\r\n$16384\r\n', unauthenticated()).error).toBeNull()
  })

  it('checks validity before authentication, as Redis does', () => {
    expect(parse('*2147483648\r\n', unauthenticated()).error).toBe('invalid multibulk length')
    expect(parse('*1\r\n$536870913\r\n', unauthenticated()).error).toBe('invalid bulk length')
    expect(parse('*-5\r\n', unauthenticated()).error).toBeNull()
  })

  it('lifts the limits for the command after a successful AUTH in the same pipeline', () => {
    let authenticated = false
    const parser = new RespParser({ maxBulkLen: () => 512 * 1024 * 1024, authenticated: () => authenticated })
    const big = Array.from({ length: 12 }, () => '$1\r\nk\r\n').join('')
    parser.append(b(`*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*12\r\n${big}`))
    expect(text(parser.next() as Buffer[])).toEqual(['AUTH', 'pw'])
    authenticated = true
    expect(parser.next()).toHaveLength(12)
  })
})

describe('hostile headers', () => {
  it('does not allocate for a $536870912 header with few bytes behind it', () => {
    const parser = new RespParser()
    parser.feed(b('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n'))
    for (let i = 0; i < 10; i++) parser.feed(b('0123456789'))
    expect(parser.capacity).toBeLessThanOrEqual(32 * 1024)
    expect(parser.buffered).toBe(100)
  })

  it('grows with the bytes received, at most about twice', () => {
    const parser = new RespParser()
    parser.feed(b('*2\r\n$4\r\nECHO\r\n$536870912\r\n'))
    const chunk = Buffer.alloc(64 * 1024, 'z')
    for (let i = 0; i < 32; i++) parser.feed(chunk)
    expect(parser.buffered).toBe(2 * 1024 * 1024)
    expect(parser.capacity).toBeLessThanOrEqual(4 * 1024 * 1024 + 64 * 1024)
  })

  it('sizes the buffer to the payload it waits for, not beyond', () => {
    const size = 1_000_000
    const parser = new RespParser()
    parser.feed(b(`*2\r\n$4\r\nECHO\r\n$${size}\r\n`))
    const chunk = Buffer.alloc(50_000, 'q')
    for (let sent = 0; sent + chunk.length < size; sent += chunk.length) parser.feed(chunk)
    expect(parser.capacity).toBeLessThanOrEqual(size + 2 + 16 * 1024)
  })

  it('gives back a big buffer once the big request is consumed', () => {
    const parser = new RespParser()
    const value = Buffer.alloc(300_000, 'a')
    parser.feed(b('*2\r\n$4\r\nECHO\r\n$300000\r\n'))
    parser.feed(value.subarray(0, 1000))
    parser.feed(Buffer.concat([value.subarray(1000), b('\r\n')]))
    expect(parser.buffered).toBe(0)
    expect(parser.capacity).toBeLessThanOrEqual(64 * 1024)
  })
})

describe('inline commands', () => {
  it('splits on spaces and accepts LF or CRLF', () => {
    expect(parse('SET  k\tv\r\nGET k\n').commands).toEqual([
      ['SET', 'k', 'v'],
      ['GET', 'k'],
    ])
  })

  it('skips blank lines', () => {
    expect(parse('\r\n\n   \r\nPING\r\n').commands).toEqual([['PING']])
  })

  it('handles double-quote escapes', () => {
    expect(parse('ECHO "a\\nb\\r\\t\\b\\a\\\\\\"\\x41\\x4g\\q"\r\n').commands).toEqual([
      ['ECHO', 'a\nb\r\t\b\x07\\"Ax4gq'],
    ])
  })

  it("handles single quotes with only \\' as escape", () => {
    expect(parse("ECHO 'it\\'s' '\\n'\r\n").commands).toEqual([['ECHO', "it's", '\\n']])
  })

  it('joins quoted parts that start mid-argument', () => {
    expect(parse('ECHO ab"c d"\r\n').commands).toEqual([['ECHO', 'abc d']])
  })

  it('keeps \\v and \\f inside an unquoted argument but skips them between arguments', () => {
    expect(parse('ECHO a\x0bb\r\n').commands).toEqual([['ECHO', 'a\x0bb']])
    expect(parse('\x0bECHO \x0c a\r\n').commands).toEqual([['ECHO', 'a']])
  })

  it('allows empty quoted arguments', () => {
    expect(parse('SET k ""\r\n').commands).toEqual([['SET', 'k', '']])
  })

  const unbalanced = ['ECHO "abc\r\n', "ECHO 'abc\r\n", 'ECHO "a"b\r\n', "ECHO 'a'b\r\n", 'ECHO "abc\\"\r\n']
  for (const line of unbalanced) {
    it(`unbalanced quotes: ${JSON.stringify(line)}`, () => {
      expect(parse(line).error).toBe('unbalanced quotes in request')
    })
  }

  it('too big inline request after 64 KB without a newline', () => {
    const parser = new RespParser()
    expect(parse(`ECHO ${'a'.repeat(60 * 1024)}`, parser).error).toBeNull()
    expect(parse('a'.repeat(5 * 1024), parser).error).toBe('too big inline request')
  })

  it('a NUL before the newline hides the line, as strchr does in Redis', () => {
    expect(parse('PING\x00\nPING\r\n')).toMatchObject({ commands: [], error: null })
  })

  it('mixes with multibulk in one stream', () => {
    expect(parse('PING\r\n*1\r\n$4\r\nPING\r\nECHO x\r\n').commands).toEqual([['PING'], ['PING'], ['ECHO', 'x']])
  })
})

describe('splitArgs', () => {
  it('stops at a NUL as the C string does', () => {
    const line = b('a b\x00c d')
    expect(splitArgs(line, 0, line.length)?.map((x) => x.toString())).toEqual(['a', 'b'])
  })
  it('returns [] for blank input', () => {
    expect(splitArgs(b('  \t '), 0, 4)).toEqual([])
  })
})

describe('string2ll', () => {
  const cases: Array<[string, number | null]> = [
    ['0', 0],
    ['7', 7],
    ['-7', -7],
    ['123456789', 123456789],
    ['9223372036854775807', 2 ** 63],
    ['-9223372036854775808', -(2 ** 63)],
    ['9223372036854775808', null],
    ['-9223372036854775809', null],
    ['', null],
    ['-', null],
    ['00', null],
    ['-0', null],
    ['+1', null],
    ['1a', null],
    [' 1', null],
    ['123456789012345678901', null],
  ]
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => {
      expect(string2ll(b(input), 0, input.length)).toBe(expected)
    })
  }
})
