/**
 * CLIENT UNBLOCK: ends another client's blocking command as a timeout (nil array) or with an UNBLOCKED error. The
 * expected replies are redis-server 7.0.15's.
 */
import { describe, expect, it } from 'vitest'
import type { Reply } from '../../src/protocol/reply.ts'
import type { LocalConnection } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
}

/** Sends a command without awaiting it; `text()` is its reply once it came. */
function track(conn: LocalConnection, ...args: string[]): { text: () => string } {
  let reply: Reply | undefined
  let finished = false
  void conn.call(...args).then((r) => {
    reply = r
    finished = true
  })
  return { text: () => (finished ? respText(reply as Reply, conn.client.protocol) : '(pending)') }
}

describe('CLIENT UNBLOCK', () => {
  it('ends a blocked BLPOP as a timeout, or with an UNBLOCKED error', async () => {
    const { connect } = testEngine()
    const [a, b, admin] = [connect(), connect(), connect()]
    const popA = track(a, 'BLPOP', 'k', '0')
    const popB = track(b, 'BZPOPMIN', 'z', '0')
    await settle()
    expect(popA.text()).toBe('(pending)')
    expect(respText(await admin.call('CLIENT', 'UNBLOCK', String(a.client.id)))).toBe(':1\r\n')
    expect(respText(await admin.call('CLIENT', 'UNBLOCK', String(b.client.id), 'error'))).toBe(':1\r\n')
    await settle()
    expect(popA.text()).toBe('*-1\r\n')
    expect(popB.text()).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n')
    // Nothing is blocked any more: the waits are gone from the keys too.
    expect(respText(await admin.call('CLIENT', 'UNBLOCK', String(a.client.id)))).toBe(':0\r\n')
    expect(respText(await admin.call('RPUSH', 'k', 'x'))).toBe(':1\r\n')
    expect(respText(await admin.call('LLEN', 'k'))).toBe(':1\r\n')
  })

  it('answers 0 for a client that is not blocked, and checks its arguments', async () => {
    const { resp } = testEngine()
    expect(await resp('CLIENT', 'UNBLOCK', '99999')).toBe(':0\r\n')
    expect(await resp('CLIENT', 'UNBLOCK', '1', 'bogus')).toBe(
      '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n',
    )
    expect(await resp('CLIENT', 'UNBLOCK', 'x')).toBe('-ERR value is not an integer or out of range\r\n')
    expect(await resp('CLIENT', 'unBlock', '1', 'timeout', 'x')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'unBlock'. Try CLIENT HELP.\r\n",
    )
    expect(await resp('CLIENT', 'UNBLOCK')).toBe("-ERR wrong number of arguments for 'client|unblock' command\r\n")
  })
})
