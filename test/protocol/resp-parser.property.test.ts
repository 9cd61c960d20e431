import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError, RespParser } from '../../src/protocol/resp-parser.ts'

/** Encodes commands as a client would send them, multibulk or (when representable) inline. */
function encodeMultibulk(argv: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)]
  for (const a of argv) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'))
  return Buffer.concat(parts)
}

const argArb = fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u))
const commandArb = fc.array(argArb, { minLength: 1, maxLength: 6 })
/** Inline arguments: bytes that need no quoting. */
const inlineArgArb = fc
  .array(fc.constantFrom(...'abcdefxyz0123456789-_:.'.split('')), { minLength: 1, maxLength: 12 })
  .map((chars) => Buffer.from(chars.join('')))
const inlineCommandArb = fc.array(inlineArgArb, { minLength: 1, maxLength: 5 })

type Request = { kind: 'multibulk'; argv: Buffer[] } | { kind: 'inline'; argv: Buffer[] }
const requestArb: fc.Arbitrary<Request> = fc.oneof(
  { weight: 4, arbitrary: commandArb.map((argv) => ({ kind: 'multibulk' as const, argv })) },
  { weight: 1, arbitrary: inlineCommandArb.map((argv) => ({ kind: 'inline' as const, argv })) },
)

function encode(req: Request): Buffer {
  if (req.kind === 'multibulk') return encodeMultibulk(req.argv)
  return Buffer.from(`${req.argv.map((a) => a.toString('latin1')).join(' ')}\r\n`, 'latin1')
}

/** Split points (sorted, unique, inside the stream) turned into chunks. */
function chunk(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const p of points) {
    out.push(stream.subarray(from, p))
    from = p
  }
  out.push(stream.subarray(from))
  return out
}

function parseChunks(chunks: Buffer[]): { commands: Buffer[][]; error: ProtocolError | null } {
  const parser = new RespParser()
  const commands: Buffer[][] = []
  for (const c of chunks) {
    const result = parser.feed(c)
    commands.push(...result.commands)
    if (result.error) return { commands, error: result.error }
  }
  return { commands, error: null }
}

describe('parser properties', () => {
  it('any split of a valid stream into chunks parses to the same commands', () => {
    fc.assert(
      fc.property(
        fc.array(requestArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (requests, cuts) => {
          const stream = Buffer.concat(requests.map(encode))
          const { commands, error } = parseChunks(chunk(stream, cuts))
          expect(error).toBeNull()
          expect(commands.map((c) => c.map((a) => a.toString('hex')))).toEqual(
            requests.map((r) => r.argv.map((a) => a.toString('hex'))),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('one byte at a time gives the same commands as all at once', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { minLength: 1, maxLength: 5 }), (requests) => {
        const stream = Buffer.concat(requests.map(encode))
        const whole = parseChunks([stream])
        const bytes = parseChunks([...stream].map((x) => Buffer.from([x])))
        expect(bytes).toEqual(whole)
      }),
      { numRuns: 100 },
    )
  })

  it('any corruption gives valid commands or a ProtocolError, never a throw', () => {
    fc.assert(
      fc.property(
        fc.array(requestArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (requests, corruptions, cuts) => {
          const stream = Buffer.from(Buffer.concat(requests.map(encode)))
          for (const [at, byte] of corruptions) stream[at % stream.length] = byte
          const parser = new RespParser()
          for (const c of chunk(stream, cuts)) {
            const { commands, error } = parser.feed(c)
            for (const argv of commands) {
              expect(argv.length).toBeGreaterThan(0)
              for (const a of argv) expect(Buffer.isBuffer(a)).toBe(true)
            }
            if (error) {
              expect(error).toBeInstanceOf(ProtocolError)
              expect(error.message).toMatch(/^ERR Protocol error: /)
            }
          }
          expect(parser.capacity).toBeLessThan(1024 * 1024)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('arbitrary bytes never throw and never hold more than twice what was sent (plus the initial buffer)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), (chunks) => {
        const parser = new RespParser()
        let sent = 0
        for (const c of chunks) {
          sent += c.length
          parser.feed(Buffer.from(c))
          expect(parser.buffered).toBeLessThanOrEqual(sent)
          expect(parser.capacity).toBeLessThanOrEqual(Math.max(16 * 1024, 2 * sent) + 16 * 1024)
        }
      }),
      { numRuns: 500 },
    )
  })
})
