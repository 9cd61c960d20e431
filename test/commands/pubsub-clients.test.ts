import { describe, expect, it } from 'vitest'
import type { Reply } from '../../src/protocol/reply.ts'
import type { LocalConnection } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'

/** Collects a connection's pushes as the RESP bytes its protocol would put on the wire. */
function inbox(conn: LocalConnection): string[] {
  const received: string[] = []
  conn.client.pushSink = (reply: Reply) => received.push(respText(reply, conn.client.protocol))
  return received
}

describe('pub/sub between clients', () => {
  it('delivers to channel subscribers, then pattern subscribers, and counts deliveries', async () => {
    const t = testEngine()
    const a = t.connect()
    const b = t.connect()
    const aIn = inbox(a)
    const bIn = inbox(b)
    await a.call('SUBSCRIBE', 'news')
    await b.call('PSUBSCRIBE', 'n*', 'ne?s')
    aIn.length = 0
    bIn.length = 0
    expect(await t.resp('PUBLISH', 'news', 'hi')).toBe(':3\r\n')
    expect(aIn).toEqual(['*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n'])
    expect(bIn).toEqual([
      '*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n',
      '*4\r\n$8\r\npmessage\r\n$4\r\nne?s\r\n$4\r\nnews\r\n$2\r\nhi\r\n',
    ])
    expect(await t.resp('PUBLISH', 'other', 'x')).toBe(':0\r\n')
    expect(await t.resp('PUBSUB', 'NUMSUB', 'news', 'other')).toBe('*4\r\n$4\r\nnews\r\n:1\r\n$5\r\nother\r\n:0\r\n')
    expect(await t.resp('PUBSUB', 'NUMPAT')).toBe(':2\r\n')
  })

  it('encodes each delivery in the subscriber’s protocol', async () => {
    const t = testEngine()
    const sub = t.connect()
    const received = inbox(sub)
    await sub.call('HELLO', '3')
    await sub.call('SUBSCRIBE', 'c')
    await t.conn.call('PUBLISH', 'c', Buffer.from([0, 255]))
    expect(received.at(-1)).toBe('>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\n\x00\xff\r\n')
  })

  it('forgets a disconnected subscriber', async () => {
    const t = testEngine()
    const sub = t.connect()
    inbox(sub)
    await sub.call('SUBSCRIBE', 'c')
    await sub.call('PSUBSCRIBE', 'p*')
    sub.close()
    expect(await t.resp('PUBLISH', 'c', 'x')).toBe(':0\r\n')
    expect(await t.resp('PUBSUB', 'CHANNELS')).toBe('*0\r\n')
    expect(await t.resp('PUBSUB', 'NUMPAT')).toBe(':0\r\n')
  })

  it('RESET leaves subscribed mode without confirmations', async () => {
    const t = testEngine()
    const received = inbox(t.conn)
    await t.conn.call('SUBSCRIBE', 'a', 'b')
    expect(received).toEqual(['*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n'])
    expect(await t.resp('GET', 'k')).toMatch(/^-ERR Can't execute 'get'/)
    expect(await t.resp('RESET')).toBe('+RESET\r\n')
    expect(await t.resp('GET', 'k')).toBe('$-1\r\n')
    expect(await t.resp('PUBLISH', 'a', 'x')).toBe(':0\r\n')
    expect(received).toHaveLength(1)
  })

  it('after SUBSCRIBE inside MULTI the client is in subscribed mode until it unsubscribes', async () => {
    const t = testEngine()
    inbox(t.conn)
    await t.conn.call('MULTI')
    await t.conn.call('SUBSCRIBE', 'a')
    await t.conn.call('EXEC')
    expect(await t.resp('MULTI')).toMatch(/^-ERR Can't execute 'multi'/)
    expect(await t.resp('UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n')
    expect(await t.resp('MULTI')).toBe('+OK\r\n')
  })
})
