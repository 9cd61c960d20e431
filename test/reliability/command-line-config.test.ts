/**
 * The server's command line takes every config parameter as redis-server does (`--name value ...`, a config file
 * first), and its values are the UTF-8 bytes of what was typed, as Redis reads argv: a non-ASCII password given on
 * the command line is the password a client sends as UTF-8, not its Latin-1 folding.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfigFile, parseServerArgs, ServerArgsError } from '../../src/server-args.ts'
import { RawClient } from '../differential/raw-client.ts'
import { type ServerProcess, startServerProcess } from './server-process.ts'

let server: ServerProcess | null = null
afterEach(async () => {
  await server?.stop()
  server = null
})

const noFile = (path: string): string => {
  throw new Error(`unexpected read of ${path}`)
}

describe('command line', () => {
  it('takes any config parameter as --name value, joining multi-word values like redis-server', () => {
    const args = parseServerArgs(['--port', '7000', '--save', '900', '1', '300', '10', '--MaxClients', '5'], noFile)
    expect(args.config).toEqual([
      ['port', '7000'],
      ['save', '900 1 300 10'],
      ['maxclients', '5'],
    ])
  })

  it('reads a configuration file first, then lets the command line override it', () => {
    const file = '# comment\nport 7001\nrequirepass "pa ss"\n\nbusy-reply-threshold 10\n'
    const args = parseServerArgs(['redis.conf', '--port', '7002'], (path) => {
      expect(path).toBe('redis.conf')
      return file
    })
    expect(args.config).toEqual([
      ['port', '7001'],
      ['requirepass', 'pa ss'],
      ['busy-reply-threshold', '10'],
      ['port', '7002'],
    ])
  })

  it('refuses an unknown directive, naming it', () => {
    expect(() => parseServerArgs(['--no-such-thing', '1'], noFile)).toThrow(ServerArgsError)
    expect(() => parseServerArgs(['--no-such-thing', '1'], noFile)).toThrow(/no-such-thing/)
    expect(() => parseConfigFile('port 1\nbogus 2\n')).toThrow(/line 2/)
  })

  it("a bad value stops startup with Redis's message", async () => {
    await expect(startServerProcess(['--maxclients', 'lots'])).rejects.toThrow(
      /argument couldn't be parsed into an integer/,
    )
  })

  it('a UTF-8 password from the command line is its UTF-8 bytes', async () => {
    server = await startServerProcess(['--requirepass', '密码', '--maxclients', '7'])
    const c = await RawClient.connect(server.port)
    // The Latin-1 folding of the two characters (what a byte-per-UTF-16-unit reading would store) is refused.
    expect(await c.call('AUTH', Buffer.from([0xc6, 0x01]))).toBe(
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
    )
    expect(await c.call('AUTH', Buffer.from('密码', 'utf8'))).toBe('+OK\r\n')
    expect(await c.call('CONFIG', 'GET', 'maxclients')).toBe('*2\r\n$10\r\nmaxclients\r\n$1\r\n7\r\n')
  })
})
