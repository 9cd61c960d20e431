import { describe, expect, it } from 'vitest'
import { parseEventClasses } from '../../src/keyspace/keyspace-events.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import { respText, testEngine } from '../helpers.ts'

/** A subscriber to every channel pattern, collecting the pmessages it gets as "channel message" lines. */
async function subscriber(t: ReturnType<typeof testEngine>) {
  const conn = t.connect()
  const received: string[] = []
  conn.client.pushSink = (reply: Reply) => {
    const text = respText(reply).split('\r\n')
    if (text[2] === 'pmessage') received.push(`${text[6]} ${text[8]}`)
  }
  await conn.call('PSUBSCRIBE', '*')
  return received
}

describe('keyspace notifications', () => {
  it('parses the classes as Redis: A is every class but m and n', () => {
    expect(parseEventClasses('KEA')).toBe(parseEventClasses('KEg$lshzxetd'))
    expect(parseEventClasses('A') & parseEventClasses('n')).toBe(0)
    expect(parseEventClasses('A') & parseEventClasses('m')).toBe(0)
    expect(parseEventClasses('')).toBe(0)
  })

  it('publishes expired when a key is found expired on access, on the manual clock', async () => {
    const t = testEngine()
    await t.resp('CONFIG', 'SET', 'notify-keyspace-events', 'KEx')
    const received = await subscriber(t)
    await t.resp('SET', 'foo', '1', 'PX', '100')
    expect(received).toEqual([])
    t.clock.advance(101)
    expect(await t.resp('GET', 'foo')).toBe('$-1\r\n')
    expect(received).toEqual(['__keyspace@0__:foo expired', '__keyevent@0__:expired foo'])
  })

  it('publishes expired from active expiry (the periodic pass)', async () => {
    const t = testEngine()
    await t.resp('CONFIG', 'SET', 'notify-keyspace-events', 'Ex')
    const received = await subscriber(t)
    await t.resp('SELECT', '2')
    await t.resp('SET', 'bar', '1', 'PX', '50')
    t.clock.advance(51)
    t.engine.runCron()
    expect(received).toEqual(['__keyevent@2__:expired bar'])
  })

  it('publishes evicted for each key maxmemory evicts', async () => {
    const t = testEngine()
    await t.resp('CONFIG', 'SET', 'notify-keyspace-events', 'Ee')
    for (let i = 0; i < 50; i++) await t.resp('SET', `k${i}`, 'x'.repeat(1000))
    const received = await subscriber(t)
    await t.resp('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random')
    await t.resp('CONFIG', 'SET', 'maxmemory', '1')
    await t.resp('SET', 'trigger', 'x')
    expect(received.length).toBeGreaterThan(0)
    for (const line of received) expect(line).toMatch(/^__keyevent@0__:evicted k\d+$/)
    await t.resp('CONFIG', 'SET', 'maxmemory', '0')
    const remaining = Number(/^\*(\d+)/.exec(await t.resp('KEYS', 'k*'))![1])
    expect(received.length).toBe(50 - remaining)
  })

  it('publishes nothing when the setting is empty', async () => {
    const t = testEngine()
    const received = await subscriber(t)
    await t.resp('SET', 'foo', 'bar')
    await t.resp('DEL', 'foo')
    expect(received).toEqual([])
  })
})
