/** The ring-buffer deque behind lists, checked operation by operation against a plain array model. */
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/engine/random.ts'
import { RedisList } from '../../src/keyspace/types/list.ts'
import { respText, testEngine } from '../helpers.ts'

function contents(list: RedisList): string[] {
  return list.length === 0 ? [] : list.range(0, list.length - 1).map((b) => b.toString())
}

describe('RedisList deque', () => {
  it('matches an array model under random pushes, pops, inserts, removals, trims and sets', () => {
    const random = seededRandom(42)
    const int = (n: number) => Math.floor(random.next() * n)
    const list = new RedisList()
    let model: string[] = []
    for (let step = 0; step < 5000; step++) {
      const v = String(int(20))
      const op = int(9)
      if (op === 0 || (op === 1 && model.length < 50)) {
        list.pushFront(Buffer.from(v))
        model.unshift(v)
      } else if (op === 1 || op === 2) {
        list.pushBack(Buffer.from(v))
        model.push(v)
      } else if (op === 3) {
        expect(list.popFront()?.toString()).toBe(model.shift())
      } else if (op === 4) {
        expect(list.popBack()?.toString()).toBe(model.pop())
      } else if (op === 5) {
        const at = int(model.length + 1)
        list.insertAt(at, Buffer.from(v))
        model.splice(at, 0, v)
      } else if (op === 6) {
        const limit = int(3)
        const fromTail = int(2) === 1
        const removed = list.removeWhere((b) => b.toString() === v, limit, fromTail)
        let expected = 0
        const order = fromTail ? [...model.keys()].reverse() : [...model.keys()]
        const drop = new Set<number>()
        for (const i of order) {
          if (model[i] === v && (limit === 0 || expected < limit)) {
            drop.add(i)
            expected++
          }
        }
        model = model.filter((_, i) => !drop.has(i))
        expect(removed).toBe(expected)
      } else if (op === 7 && model.length > 0) {
        const start = int(model.length)
        const end = start + int(model.length - start)
        list.trim(start, end)
        model = model.slice(start, end + 1)
      } else if (op === 8 && model.length > 0) {
        const at = int(model.length)
        list.setAt(at, Buffer.from(v))
        model[at] = v
      }
      expect(list.length).toBe(model.length)
      if (step % 50 === 0) expect(contents(list)).toEqual(model)
      if (model.length > 0) {
        const i = int(model.length)
        expect(list.at(i).toString()).toBe(model[i])
      }
    }
    expect(contents(list)).toEqual(model)
  })

  it('grows past its capacity from either end and shrinks back when emptied', () => {
    const list = new RedisList()
    for (let i = 0; i < 1000; i++) {
      if (i % 2) list.pushFront(Buffer.from(String(i)))
      else list.pushBack(Buffer.from(String(i)))
    }
    expect(list.length).toBe(1000)
    expect(list.at(0).toString()).toBe('999')
    expect(list.at(999).toString()).toBe('998')
    for (let i = 0; i < 998; i++) list.popFront()
    expect(contents(list)).toEqual(['996', '998'])
    const clone = list.clone()
    list.popBack()
    expect(contents(clone)).toEqual(['996', '998'])
  })
})

describe('list writes', () => {
  it('every write invalidates WATCH; a write that changes nothing does not (LTRIM always does, as in Redis)', async () => {
    const { conn, connect } = testEngine()
    const other = connect()
    const attempt = async (write: string[]) => {
      await conn.call('DEL', 'l')
      await conn.call('RPUSH', 'l', 'a', 'b', 'c')
      await conn.call('WATCH', 'l')
      await other.call(...write)
      await conn.call('MULTI')
      await conn.call('PING')
      return respText(await conn.call('EXEC'))
    }
    for (const w of [
      ['LPUSH', 'l', 'x'],
      ['RPUSHX', 'l', 'x'],
      ['LPOP', 'l'],
      ['RPOP', 'l', '3'],
      ['LSET', 'l', '0', 'z'],
      ['LINSERT', 'l', 'BEFORE', 'b', 'z'],
      ['LREM', 'l', '0', 'a'],
      ['LTRIM', 'l', '0', '-1'],
      ['RPOPLPUSH', 'l', 'other'],
      ['LMOVE', 'other', 'l', 'LEFT', 'LEFT'],
      ['LMPOP', '1', 'l', 'LEFT'],
      ['BLPOP', 'l', '0'],
    ]) {
      if (w[0] === 'LMOVE') await other.call('RPUSH', 'other', 'o')
      expect(await attempt(w), w.join(' ')).toBe('*-1\r\n')
    }
    for (const w of [
      ['LREM', 'l', '0', 'zz'],
      ['LINSERT', 'l', 'BEFORE', 'zz', 'x'],
      ['LPUSHX', 'nokey', 'x'],
      ['LPOS', 'l', 'a'],
    ]) {
      expect(await attempt(w), w.join(' ')).toBe('*1\r\n+PONG\r\n')
    }
  })

  it('hands out stored elements without copying and is binary safe', async () => {
    const { conn, engine } = testEngine()
    const element = Buffer.from([0, 0xff, 0x0d, 0x0a])
    await conn.call('RPUSH', 'l', element, 'x')
    const stored = (engine.keyspace.db(0).table.get('l') as RedisList).at(0)
    const [first] = (await conn.call('LRANGE', 'l', '0', '0')) as Buffer[]
    expect(first).toBe(stored)
    expect(first).toEqual(element)
    expect(await conn.call('LPOS', 'l', element)).toBe(0)
  })
})
