/**
 * CLIENT KILL: the old `addr:port` form and the filter form (ID, ADDR, LADDR, TYPE, USER, SKIPME) close the selected
 * clients' connections, TCP sockets and in-process connections alike; the caller, when selected, is closed after its
 * reply. A killed client's command that was waiting for the lock is dropped and the lock stays usable. Replies and
 * errors are compared with redis-server 7.0.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { killClient } from '../../src/engine/client-eviction.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import { describeDifferential, differentialCases } from '../differential/harness.ts'
import { RawClient } from '../differential/raw-client.ts'
import { respText, testEngine } from '../helpers.ts'

let server: RedsimServer | null = null
const clients: RawClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await server?.close()
  server = null
})

async function connect(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port)
  clients.push(c)
  return c
}

/** The `addr=` and `laddr=` fields of a connection's own CLIENT INFO line. */
async function addresses(c: RawClient): Promise<{ addr: string; laddr: string; id: string }> {
  const info = await c.call('CLIENT', 'INFO')
  return {
    id: /id=(\d+)/.exec(info)![1],
    addr: /addr=(\S+)/.exec(info)![1],
    laddr: /laddr=(\S+)/.exec(info)![1],
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
}

describe('CLIENT KILL over TCP', () => {
  it('closes the sockets it selects by ADDR, ID, LADDR and TYPE, and nothing else', async () => {
    server = await createServer({ port: 0, logger: memoryLogger() })
    const admin = await connect(server.port)
    const [a, b, subscriber] = [await connect(server.port), await connect(server.port), await connect(server.port)]
    const [ia, ib] = [await addresses(a), await addresses(b)]
    expect(await subscriber.call('SUBSCRIBE', 'news')).toBe('*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n')

    expect(await admin.call('CLIENT', 'KILL', ia.addr)).toBe('+OK\r\n')
    expect(await a.closesWithin(2000)).toBe(true)
    expect(await admin.call('CLIENT', 'KILL', ia.addr)).toBe('-ERR No such client\r\n')

    expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':1\r\n')
    expect(await subscriber.closesWithin(2000)).toBe(true)

    // LADDR matches every connection to this port; SKIPME (default yes) spares the caller; ID narrows it to one.
    expect(await admin.call('CLIENT', 'KILL', 'LADDR', ib.laddr, 'ID', ib.id)).toBe(':1\r\n')
    expect(await b.closesWithin(2000)).toBe(true)
    expect(await admin.call('PING')).toBe('+PONG\r\n')
    expect(server.engine.clients.size).toBe(1)
    expect(server.connections.size).toBe(1)
  })

  it('kills the caller itself after its reply (the old form, or SKIPME no)', async () => {
    server = await createServer({ port: 0, logger: memoryLogger() })
    const self = await connect(server.port)
    const { addr } = await addresses(self)
    self.send('*3\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$' + addr.length + '\r\n' + addr + '\r\n*1\r\n$4\r\nPING\r\n')
    // The reply, then the close; the pipelined PING is never run.
    expect((await self.readUntilClose()).toString('latin1')).toBe('+OK\r\n')

    const other = await connect(server.port)
    const keeper = await connect(server.port)
    expect(await other.call('CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'no')).toBe(':2\r\n')
    expect((await other.readUntilClose()).toString('latin1')).toBe('')
    expect(await keeper.closesWithin(2000)).toBe(true)
    expect(server.engine.clients.size).toBe(0)
  })
})

describe('CLIENT KILL of in-process clients', () => {
  it('closes a LocalConnection, drops its command waiting for the lock, and leaves the lock usable', async () => {
    const { engine, connect: local } = testEngine()
    const [admin, victim, blocked] = [local(), local(), local()]
    // Someone else holds the lock, so the victim's SET waits for it.
    const lease = engine.lock.tryAcquire({ id: -100, name: 'holder' })!
    let setReply: Reply | 'pending' = 'pending'
    void victim.call('SET', 'k', 'v').then((r) => {
      setReply = r
    })
    const pop = blocked.call('BLPOP', 'list', '0')
    await settle()
    // What CLIENT KILL does to its target, while the lock is held (a CLIENT KILL command would queue for the lock
    // behind the victim's SET).
    killClient(engine, victim.client)
    lease.release()
    await settle()
    expect(victim.closed).toBe(true)
    await expect(victim.call('PING')).rejects.toThrow('connection closed')
    expect(respText(await admin.call('EXISTS', 'k'))).toBe(':0\r\n')
    expect(setReply).toBeNull()
    // A client blocked in BLPOP is released from its keys when killed: the next push stays in the list.
    expect(respText(await admin.call('CLIENT', 'KILL', 'ID', String(blocked.client.id)))).toBe(':1\r\n')
    // Its reply is dropped (null: nobody is there to read it).
    expect(await pop).toBeNull()
    expect(respText(await admin.call('RPUSH', 'list', 'x'))).toBe(':1\r\n')
    expect(respText(await admin.call('LLEN', 'list'))).toBe(':1\r\n')
    expect(engine.lock.holder).toBeNull()
    expect(engine.clients.has(victim.client.id) || engine.clients.has(blocked.client.id)).toBe(false)
    expect(engine.clients.has(admin.client.id)).toBe(true)
  })
})

describeDifferential('differential: CLIENT KILL', (pair) => {
  differentialCases(pair, {
    'errors and the old form': [
      'CLIENT KILL',
      'CLIENT KILL 1.2.3.4:5',
      'CLIENT KILL ID',
      'CLIENT KILL ID 0',
      'CLIENT KILL ID -3',
      'CLIENT KILL ID x',
      'CLIENT KILL ID 5 SKIPME',
      'CLIENT KILL ID 5 SKIPME maybe',
      'CLIENT KILL USER nobody',
      'CLIENT KILL TYPE foo',
      'CLIENT KILL MAXAGE 5',
      'CLIENT KILL FOO bar',
      'CLIENT KILL ADDR 1.2.3.4:5 LADDR 1.2.3.4:6',
      'CLIENT KILL ID 123456789 TYPE normal USER default SKIPME yes',
      'CLIENT KILL TYPE master',
      'CLIENT KILL TYPE replica',
      'CLIENT KILL TYPE slave',
    ],
    'TYPE pubsub kills the subscribers only': [
      { args: ['SUBSCRIBE', 'c'], client: 1 },
      { args: ['PSUBSCRIBE', 'p*'], client: 2 },
      {
        args: ['CLIENT', 'LIST', 'TYPE', 'pubsub'],
        normalize: (r: string) =>
          r.replace(/id=.*? (flags=\S+) .*?(sub=\d+ psub=\d+ ssub=\d+) .*?\n/g, '$1 $2\n').replace(/^\$\d+\r\n/, ''),
      },
      'CLIENT KILL TYPE pubsub',
      'CLIENT KILL TYPE pubsub',
      'PING',
    ],
  })
})
