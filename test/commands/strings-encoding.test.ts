/**
 * The encoding Redis would report (OBJECT ENCODING) for strings the string commands store. Expected values are what
 * redis-server 7.0.15 answered after the same commands.
 */
import { describe, expect, it } from 'vitest'
import { objectEncoding } from '../../src/keyspace/encoding.ts'
import { testEngine } from '../helpers.ts'

describe('strings: encodings', () => {
  it('SET-like commands encode by content; APPEND, SETRANGE and INCRBYFLOAT leave their own marks', async () => {
    const t = testEngine()
    const encodingOf = (key: string) => {
      const value = t.engine.keyspace.db(0).get(key)
      return value === undefined ? 'missing' : objectEncoding(value)
    }
    await t.resp('MSET', 'a', '123', 'b', 'abc')
    await t.resp('GETSET', 'a', '456')
    await t.resp('SETEX', 'q', '100', '12')
    await t.resp('INCRBYFLOAT', 'f', '5')
    await t.resp('SETRANGE', 'n', '0', '12')
    await t.resp('APPEND', 'm', '12')
    await t.resp('SET', 'r', 'x')
    await t.resp('APPEND', 'r', 'y')
    await t.resp('COPY', 'r', 'r2')
    await t.resp('SET', 's', '5')
    await t.resp('INCR', 's')
    await t.resp('SET', 'u', 'hello')
    await t.resp('SETRANGE', 'u', '0', '')
    await t.resp('SET', 'v', 'hello')
    await t.resp('SETRANGE', 'v', '1', 'E')
    await t.resp('INCRBYFLOAT', 'long', '123456789012345678901234567890123456789012345')
    expect(
      ['a', 'b', 'q', 'f', 'n', 'm', 'r', 'r2', 's', 'u', 'v', 'long'].map((k) => `${k}:${encodingOf(k)}`),
    ).toEqual([
      'a:int',
      'b:embstr',
      'q:int',
      'f:embstr',
      'n:raw',
      'm:int',
      'r:raw',
      'r2:raw',
      's:int',
      'u:embstr',
      'v:raw',
      'long:raw',
    ])
  })
})
