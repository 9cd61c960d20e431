/**
 * The parser hands a connection's repeated command names out as one shared Buffer (no allocation per command), and
 * must never confuse two names or let the cache change what a command's arguments are.
 */
import { describe, expect, it } from 'vitest'
import { RespParser } from '../../src/protocol/resp-parser.ts'

function multibulk(...args: string[]): Buffer {
  return Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)
}

function commands(parser: RespParser, bytes: Buffer): Buffer[][] {
  const { commands, error } = parser.feed(bytes)
  expect(error).toBeNull()
  return commands
}

describe('command-name sharing', () => {
  it('repeated names are the same Buffer; other arguments are always fresh copies', () => {
    const parser = new RespParser()
    const [a, b] = commands(parser, Buffer.concat([multibulk('SET', 'k', 'v'), multibulk('SET', 'k', 'v')]))
    expect(a[0]).toBe(b[0])
    expect(a[1]).not.toBe(b[1])
    expect(a[2]).not.toBe(b[2])
    expect(b.map(String)).toEqual(['SET', 'k', 'v'])
  })

  it('names that differ in any byte, in case or in length are told apart', () => {
    const parser = new RespParser()
    const names = ['GET', 'SET', 'get', 'GETSET', 'GE', 'SETEX', 'GET', 'SET']
    const got = commands(parser, Buffer.concat(names.map((n) => multibulk(n, 'k'))))
    expect(got.map((argv) => argv[0].toString())).toEqual(names)
    expect(got[6][0]).toBe(got[0][0])
    expect(got[7][0]).toBe(got[1][0])
    expect(got[2][0]).not.toBe(got[0][0])
  })

  it('keeps at most a few names and still parses every name correctly past that', () => {
    const parser = new RespParser()
    const names = Array.from({ length: 20 }, (_, i) => `CMD${i}`)
    const twice = [...names, ...names]
    const got = commands(parser, Buffer.concat(twice.map((n) => multibulk(n))))
    expect(got.map((argv) => argv[0].toString())).toEqual(twice)
    // The first names were evicted by the later ones: a fresh Buffer the second time.
    expect(got[20][0]).not.toBe(got[0][0])
    expect(got[39][0]).not.toBe(got[19][0])
  })

  it('a name split across chunks is matched once complete', () => {
    const parser = new RespParser()
    const [first] = commands(parser, multibulk('PING'))
    const bytes = multibulk('PING', 'hello')
    expect(commands(parser, bytes.subarray(0, 9))).toEqual([])
    const [second] = commands(parser, bytes.subarray(9))
    expect(second[0]).toBe(first[0])
    expect(second.map(String)).toEqual(['PING', 'hello'])
  })

  it('long names are not cached', () => {
    const parser = new RespParser()
    const long = 'X'.repeat(40)
    const [a, b] = commands(parser, Buffer.concat([multibulk(long), multibulk(long)]))
    expect(a[0]).not.toBe(b[0])
    expect(b[0].toString()).toBe(long)
  })
})
