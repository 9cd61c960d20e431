/**
 * Connection commands. Expected bytes were taken from redis-server 7.0.15 with the same commands (ids aside).
 */
import { describe, expect, it } from 'vitest'
import type { LocalConnection } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'

/** The reply in the protocol the connection currently speaks. */
async function wire(conn: LocalConnection, ...args: string[]): Promise<string> {
  const reply = await conn.call(...args)
  return respText(reply, conn.client.protocol)
}

function helloReply(proto: 2 | 3, id: number): string {
  const body =
    '$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n' +
    `$5\r\nproto\r\n:${proto}\r\n$2\r\nid\r\n:${id}\r\n` +
    '$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n'
  return (proto === 3 ? '%7\r\n' : '*14\r\n') + body
}

describe('PING and ECHO', () => {
  it('answers PONG, or echoes its argument as a bulk string', async () => {
    const t = testEngine()
    expect(await t.resp('PING')).toBe('+PONG\r\n')
    expect(await t.resp('PING', 'hi')).toBe('$2\r\nhi\r\n')
    expect(await t.resp('ECHO', 'x y')).toBe('$3\r\nx y\r\n')
  })

  it('rejects extra arguments with the arity error', async () => {
    const t = testEngine()
    expect(await t.resp('PING', 'a', 'b')).toBe("-ERR wrong number of arguments for 'ping' command\r\n")
    expect(await t.resp('ECHO')).toBe("-ERR wrong number of arguments for 'echo' command\r\n")
    expect(await t.resp('ECHO', 'a', 'b')).toBe("-ERR wrong number of arguments for 'echo' command\r\n")
  })
})

describe('SELECT', () => {
  it('switches the database of this connection only', async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('SET', 'k', 'db0')
    expect(await t.resp('SELECT', '15')).toBe('+OK\r\n')
    expect(await t.resp('GET', 'k')).toBe('$-1\r\n')
    await t.resp('SET', 'k', 'db15')
    expect(respText(await other.call('GET', 'k'))).toBe('$3\r\ndb0\r\n')
    expect(t.conn.client.db).toBe(15)
  })

  it('answers Redis errors for bad indexes', async () => {
    const t = testEngine()
    expect(await t.resp('SELECT', '16')).toBe('-ERR DB index is out of range\r\n')
    expect(await t.resp('SELECT', '-1')).toBe('-ERR DB index is out of range\r\n')
    expect(await t.resp('SELECT', 'x')).toBe('-ERR value is not an integer or out of range\r\n')
    expect(await t.resp('SELECT', '01')).toBe('-ERR value is not an integer or out of range\r\n')
    expect(await t.resp('SELECT', '4294967296')).toBe(
      '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n',
    )
    expect(t.conn.client.db).toBe(0)
  })
})

describe('SWAPDB', () => {
  it('exchanges the contents of two databases; clients stay on their index', async () => {
    const t = testEngine()
    await t.resp('SET', 'a', 'in0')
    await t.resp('SELECT', '1')
    await t.resp('SET', 'b', 'in1')
    expect(await t.resp('SWAPDB', '0', '1')).toBe('+OK\r\n')
    expect(await t.resp('GET', 'a')).toBe('$3\r\nin0\r\n')
    expect(await t.resp('GET', 'b')).toBe('$-1\r\n')
    await t.resp('SELECT', '0')
    expect(await t.resp('GET', 'b')).toBe('$3\r\nin1\r\n')
  })

  it('breaks WATCH on keys the swap changes, but not when swapping a database with itself', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', '1')
    await t.resp('WATCH', 'k')
    await t.resp('SWAPDB', '0', '0')
    await t.resp('MULTI')
    await t.resp('GET', 'k')
    expect(await t.resp('EXEC')).toBe('*1\r\n$1\r\n1\r\n')

    await t.resp('WATCH', 'k')
    await t.resp('SWAPDB', '1', '0')
    await t.resp('MULTI')
    await t.resp('GET', 'k')
    expect(await t.resp('EXEC')).toBe('*-1\r\n')
  })

  it('names the bad argument in its errors', async () => {
    const t = testEngine()
    expect(await t.resp('SWAPDB', 'x', '1')).toBe('-ERR invalid first DB index\r\n')
    expect(await t.resp('SWAPDB', '1', 'x')).toBe('-ERR invalid second DB index\r\n')
    expect(await t.resp('SWAPDB', '99999999999', '0')).toBe('-ERR invalid first DB index\r\n')
    expect(await t.resp('SWAPDB', '0', '16')).toBe('-ERR DB index is out of range\r\n')
    expect(await t.resp('SWAPDB', '-1', '0')).toBe('-ERR DB index is out of range\r\n')
  })
})

describe('QUIT', () => {
  it('answers OK and asks the transport to close after the reply', async () => {
    const t = testEngine()
    expect(await t.resp('QUIT')).toBe('+OK\r\n')
    expect(t.conn.client.closeAfterReply).toBe(true)
  })
})

describe('HELLO', () => {
  it('answers the server map in RESP2 without a version, and in RESP3 after HELLO 3', async () => {
    const t = testEngine()
    const id = t.conn.client.id
    expect(await wire(t.conn, 'HELLO')).toBe(helloReply(2, id))
    expect(await wire(t.conn, 'HELLO', '3')).toBe(helloReply(3, id))
    expect(t.conn.client.protocol).toBe(3)
    // RESP3 now applies to every reply: a nil is `_`.
    expect(await wire(t.conn, 'GET', 'missing')).toBe('_\r\n')
    expect(await wire(t.conn, 'HELLO', '2')).toBe(helloReply(2, id))
    expect(await wire(t.conn, 'GET', 'missing')).toBe('$-1\r\n')
  })

  it('sets the name with SETNAME and accepts AUTH for the default user', async () => {
    const t = testEngine()
    expect(await wire(t.conn, 'HELLO', '3', 'AUTH', 'default', 'anything', 'SETNAME', 'n1')).toBe(
      helloReply(3, t.conn.client.id),
    )
    expect(await wire(t.conn, 'CLIENT', 'GETNAME')).toBe('$2\r\nn1\r\n')
  })

  it('rejects bad versions and options without changing the connection', async () => {
    const t = testEngine()
    expect(await t.resp('HELLO', '4')).toBe('-NOPROTO unsupported protocol version\r\n')
    expect(await t.resp('HELLO', '1')).toBe('-NOPROTO unsupported protocol version\r\n')
    expect(await t.resp('HELLO', 'x')).toBe('-ERR Protocol version is not an integer or out of range\r\n')
    expect(await t.resp('HELLO', '3', 'SETNAME')).toBe("-ERR Syntax error in HELLO option 'SETNAME'\r\n")
    expect(await t.resp('HELLO', '3', 'AUTH', 'default')).toBe("-ERR Syntax error in HELLO option 'AUTH'\r\n")
    expect(await t.resp('HELLO', '3', 'FOO')).toBe("-ERR Syntax error in HELLO option 'FOO'\r\n")
    expect(await t.resp('HELLO', '3', 'SETNAME', 'a b')).toBe(
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
    )
    expect(await t.resp('HELLO', '3', 'AUTH', 'nobody', 'x')).toBe(
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
    )
    expect(t.conn.client.protocol).toBe(2)
    expect(t.conn.client.clientName).toBe('')
  })

  it('with requirepass: needs authentication first, or authenticates with AUTH', async () => {
    const t = testEngine({ config: { requirepass: 'pw' } })
    expect(await t.resp('HELLO', '3')).toBe(
      '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n',
    )
    expect(await t.resp('HELLO', '3', 'AUTH', 'default', 'wrong')).toBe(
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
    )
    expect(t.conn.client.protocol).toBe(2)
    expect(await wire(t.conn, 'HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'abc')).toBe(
      helloReply(3, t.conn.client.id),
    )
    expect(await wire(t.conn, 'CLIENT', 'GETNAME')).toBe('$3\r\nabc\r\n')
  })
})

describe('AUTH', () => {
  it('without requirepass: the one-argument form is an error, the default user takes any password', async () => {
    const t = testEngine()
    expect(await t.resp('AUTH', 'x')).toBe(
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
    )
    expect(await t.resp('AUTH', 'default', 'whatever')).toBe('+OK\r\n')
    expect(await t.resp('AUTH', 'someone', 'x')).toBe(
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
    )
    expect(await t.resp('AUTH', 'a', 'b', 'c')).toBe('-ERR syntax error\r\n')
  })

  it('with requirepass: NOAUTH until the right password, in either form', async () => {
    const t = testEngine({ config: { requirepass: 'pw' } })
    expect(await t.resp('GET', 'x')).toBe('-NOAUTH Authentication required.\r\n')
    expect(await t.resp('AUTH', 'wrong')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n')
    expect(await t.resp('AUTH', 'default', 'wrong')).toBe(
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
    )
    expect(await t.resp('AUTH', 'foo', 'pw')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n')
    expect(await t.resp('GET', 'x')).toBe('-NOAUTH Authentication required.\r\n')
    expect(await t.resp('AUTH', 'pw')).toBe('+OK\r\n')
    expect(await t.resp('GET', 'x')).toBe('$-1\r\n')

    const other = t.connect()
    expect(respText(await other.call('AUTH', 'default', 'pw'))).toBe('+OK\r\n')
    expect(respText(await other.call('PING'))).toBe('+PONG\r\n')
  })

  it('a failed AUTH keeps an authenticated connection authenticated', async () => {
    const t = testEngine({ config: { requirepass: 'pw' } })
    await t.resp('AUTH', 'pw')
    expect(await t.resp('AUTH', 'wrong')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n')
    expect(await t.resp('GET', 'x')).toBe('$-1\r\n')
  })

  it('compares passwords as bytes', async () => {
    const t = testEngine()
    const password = Buffer.from([0x70, 0x61, 0xe9, 0x00, 0xff])
    await t.conn.call('CONFIG', 'SET', 'requirepass', password)
    expect(respText(await t.conn.call('CONFIG', 'GET', 'requirepass'))).toBe(
      `*2\r\n$11\r\nrequirepass\r\n$5\r\n${password.toString('latin1')}\r\n`,
    )
    const other = t.connect()
    expect(respText(await other.call('AUTH', 'pa\u00e9\u0000\u00ff'))).toBe(
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
    )
    expect(respText(await other.call('AUTH', password))).toBe('+OK\r\n')
  })

  it('AUTH, HELLO, QUIT and RESET run before authentication; other commands do not', async () => {
    const t = testEngine({ config: { requirepass: 'pw' } })
    const table = t.engine.executor.table
    for (const name of ['auth', 'hello', 'quit', 'reset']) expect(table.get(name)?.flags).toContain('no_auth')
    for (const name of ['ping', 'echo', 'select', 'client', 'command', 'info']) {
      expect(table.get(name)?.flags).not.toContain('no_auth')
    }
    expect(await t.resp('PING')).toBe('-NOAUTH Authentication required.\r\n')
    expect(await t.resp('CLIENT', 'ID')).toBe('-NOAUTH Authentication required.\r\n')
  })
})

describe('RESET', () => {
  it('restores a fresh connection: no MULTI, no WATCH, db 0, RESP2, no name', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v')
    await wire(t.conn, 'HELLO', '3', 'SETNAME', 'me')
    await wire(t.conn, 'SELECT', '3')
    await wire(t.conn, 'WATCH', 'k')
    await wire(t.conn, 'MULTI')
    await wire(t.conn, 'SET', 'k', 'queued')
    expect(await wire(t.conn, 'RESET')).toBe('+RESET\r\n')
    const c = t.conn.client
    expect([c.multi, c.watched.length, c.db, c.protocol, c.clientName]).toEqual([null, 0, 0, 2, ''])
    expect(t.engine.keyspace.db(0).watchers.size).toBe(0)
    // The queued SET never ran, and EXEC now has no transaction.
    expect(await t.resp('GET', 'k')).toBe('$1\r\nv\r\n')
    expect(await t.resp('EXEC')).toBe('-ERR EXEC without MULTI\r\n')
    expect(await t.resp('CLIENT', 'GETNAME')).toBe('$-1\r\n')
  })

  it('un-authenticates when a password is required', async () => {
    const t = testEngine({ config: { requirepass: 'pw' } })
    await t.resp('AUTH', 'pw')
    expect(await t.resp('RESET')).toBe('+RESET\r\n')
    expect(await t.resp('GET', 'x')).toBe('-NOAUTH Authentication required.\r\n')
  })

  it('keeps a connection authenticated when no password is required', async () => {
    const t = testEngine()
    await t.resp('RESET')
    expect(await t.resp('GET', 'x')).toBe('$-1\r\n')
  })
})
