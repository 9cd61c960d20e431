/**
 * CLIENT subcommands. The CLIENT LIST line format and the error texts are redis-server 7.0.15's.
 */
import { describe, expect, it } from 'vitest'
import { respText, testEngine } from '../helpers.ts'

describe('CLIENT ID / SETNAME / GETNAME', () => {
  it('gives each connection its own increasing id', async () => {
    const t = testEngine()
    const other = t.connect()
    expect(await t.resp('CLIENT', 'ID')).toBe(`:${t.conn.client.id}\r\n`)
    expect(respText(await other.call('CLIENT', 'ID'))).toBe(`:${other.client.id}\r\n`)
    expect(other.client.id).toBeGreaterThan(t.conn.client.id)
  })

  it('sets, reads and clears the name', async () => {
    const t = testEngine()
    expect(await t.resp('CLIENT', 'GETNAME')).toBe('$-1\r\n')
    expect(await t.resp('CLIENT', 'SETNAME', 'worker-1')).toBe('+OK\r\n')
    expect(await t.resp('CLIENT', 'GETNAME')).toBe('$8\r\nworker-1\r\n')
    expect(await t.resp('CLIENT', 'SETNAME', '')).toBe('+OK\r\n')
    expect(await t.resp('CLIENT', 'GETNAME')).toBe('$-1\r\n')
  })

  it('refuses names with spaces, newlines or non-printable bytes, keeping the old name', async () => {
    const t = testEngine()
    await t.resp('CLIENT', 'SETNAME', 'ok')
    const error = '-ERR Client names cannot contain spaces, newlines or special characters.\r\n'
    expect(await t.resp('CLIENT', 'SETNAME', 'a b')).toBe(error)
    expect(await t.resp('CLIENT', 'SETNAME', 'a\nb')).toBe(error)
    expect(await t.resp('CLIENT', 'SETNAME', 'caf\u00e9')).toBe(error)
    expect(await t.resp('CLIENT', 'SETNAME', Buffer.from([0x7f]))).toBe(error)
    expect(await t.resp('CLIENT', 'GETNAME')).toBe('$2\r\nok\r\n')
  })

  it('checks arity per subcommand and rejects unknown ones', async () => {
    const t = testEngine()
    expect(await t.resp('CLIENT')).toBe("-ERR wrong number of arguments for 'client' command\r\n")
    expect(await t.resp('CLIENT', 'ID', 'x')).toBe("-ERR wrong number of arguments for 'client|id' command\r\n")
    expect(await t.resp('CLIENT', 'SETNAME')).toBe("-ERR wrong number of arguments for 'client|setname' command\r\n")
    expect(await t.resp('CLIENT', 'SETNAME', 'a', 'b')).toBe(
      "-ERR wrong number of arguments for 'client|setname' command\r\n",
    )
    expect(await t.resp('CLIENT', 'foo')).toBe("-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n")
  })
})

describe('CLIENT INFO and CLIENT LIST', () => {
  it("describes the caller in Redis 7.0's field order, with age and idle from the injected clock", async () => {
    const t = testEngine()
    const id = t.conn.client.id
    t.clock.advance(5500)
    const line =
      `id=${id} addr=127.0.0.1:0 laddr=127.0.0.1:0 fd=-1 name= age=5 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 ` +
      'multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22298 ' +
      'events=r cmd=client|info user=default redir=-1 resp=2\n'
    // RESP2: a bulk string whose text ends in a newline, as Redis's does.
    expect(respText(await t.conn.call('CLIENT', 'INFO'))).toBe(`$${line.length}\r\n${line}\r\n`)
  })

  it('lists every connection, one line each, showing name, db, MULTI state, last command and protocol', async () => {
    const t = testEngine()
    const other = t.connect()
    await other.call('CLIENT', 'SETNAME', 'bee')
    await other.call('MULTI')
    await other.call('SET', 'k', 'v')
    await other.call('SELECT', '3')
    t.clock.advance(2000)
    await t.conn.call('HELLO', '3')
    const reply = await t.conn.call('CLIENT', 'LIST')
    const lines = respText(reply, 3).split('\n')
    // RESP3: a verbatim string of type txt.
    expect(lines[0]).toMatch(/^=\d+\r$/)
    const [self, bee] = [lines[1].replace(/^txt:/, ''), lines[2]]
    expect(self).toBe(
      `id=${t.conn.client.id} addr=127.0.0.1:0 laddr=127.0.0.1:0 fd=-1 name= age=2 idle=0 flags=N db=0 sub=0 psub=0 ` +
        'ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 ' +
        'tot-mem=22298 events=r cmd=client|list user=default redir=-1 resp=3',
    )
    // Redis 7.0 for the same session: multi=2, multi-mem=52 (argument bytes plus a pointer per argument), cmd=select.
    expect(bee).toBe(
      `id=${other.client.id} addr=127.0.0.1:0 laddr=127.0.0.1:0 fd=-1 name=bee age=2 idle=2 flags=x db=0 sub=0 ` +
        'psub=0 ssub=0 multi=2 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=52 rbs=1024 rbp=0 obl=0 oll=0 omem=0 ' +
        'tot-mem=22343 events=r cmd=select user=default redir=-1 resp=2',
    )
    expect(lines.slice(3)).toEqual(['\r', ''])
  })

  it('shows a touched WATCH (d) and NO-EVICT (e) in the flags', async () => {
    const t = testEngine()
    await t.resp('WATCH', 'k')
    await t.connect().call('SET', 'k', '1')
    await t.resp('CLIENT', 'NO-EVICT', 'on')
    expect(respText(await t.conn.call('CLIENT', 'INFO'))).toContain(' flags=de ')
    expect(await t.resp('CLIENT', 'NO-EVICT', 'OFF')).toBe('+OK\r\n')
    await t.resp('UNWATCH')
    expect(respText(await t.conn.call('CLIENT', 'INFO'))).toContain(' flags=N ')
  })

  it('filters by TYPE and by ID, with Redis errors for bad filters', async () => {
    const t = testEngine()
    const other = t.connect()
    const line = (id: number) => new RegExp(`^id=${id} `, 'm')
    const normal = respText(await t.conn.call('CLIENT', 'LIST', 'TYPE', 'NORMAL'))
    expect(normal).toMatch(line(t.conn.client.id))
    expect(normal).toMatch(line(other.client.id))
    for (const type of ['master', 'replica', 'slave', 'pubsub']) {
      expect(await t.resp('CLIENT', 'LIST', 'TYPE', type)).toBe('$0\r\n\r\n')
    }
    const byId = respText(await t.conn.call('CLIENT', 'LIST', 'ID', String(other.client.id), '0', '999'))
    expect(byId).toMatch(line(other.client.id))
    expect(byId).not.toMatch(line(t.conn.client.id))
    expect(byId.match(/\n/g)).toHaveLength(3) // the bulk header, one client line, the bulk's CRLF
    expect(await t.resp('CLIENT', 'LIST', 'ID', '-1')).toBe('$0\r\n\r\n')
    expect(await t.resp('CLIENT', 'LIST', 'TYPE', 'foo')).toBe("-ERR Unknown client type 'foo'\r\n")
    expect(await t.resp('CLIENT', 'LIST', 'ID', '1', 'x')).toBe('-ERR Invalid client ID\r\n')
    expect(await t.resp('CLIENT', 'LIST', 'ID')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('CLIENT', 'LIST', 'foo')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('CLIENT', 'LIST', 'TYPE', 'normal', 'x')).toBe('-ERR syntax error\r\n')
  })

  it('forgets disconnected clients', async () => {
    const t = testEngine()
    const other = t.connect()
    other.close()
    expect(respText(await t.conn.call('CLIENT', 'LIST'))).not.toMatch(new RegExp(`id=${other.client.id} `))
  })
})

describe('CLIENT NO-EVICT, GETREDIR, HELP', () => {
  it('NO-EVICT takes ON or OFF', async () => {
    const t = testEngine()
    expect(await t.resp('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n')
    expect(await t.resp('CLIENT', 'NO-EVICT', 'foo')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('CLIENT', 'NO-EVICT')).toBe("-ERR wrong number of arguments for 'client|no-evict' command\r\n")
    // RESET clears it.
    await t.resp('RESET')
    expect(respText(await t.conn.call('CLIENT', 'INFO'))).toContain(' flags=N ')
  })

  it('GETREDIR is -1 without tracking', async () => {
    const t = testEngine()
    expect(await t.resp('CLIENT', 'GETREDIR')).toBe(':-1\r\n')
  })

  it("HELP prints Redis 7.0's text", async () => {
    const t = testEngine()
    const help = await t.resp('CLIENT', 'HELP')
    expect(help.startsWith('*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n')).toBe(true)
    expect(
      help.endsWith(
        '+NO-EVICT (ON|OFF)\r\n+    Protect current client connection from eviction.\r\n+HELP\r\n+    Prints this help.\r\n',
      ),
    ).toBe(true)
  })
})
