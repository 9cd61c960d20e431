/**
 * The read-only view of the server an `invariant` gets after every scheduling step: `call(...args)` runs one
 * read-only command (GET, TTL, LRANGE, KEYS, ...) at once, on a connection of its own, and returns its reply as a
 * plain value (strings, numbers, arrays, null); an error reply throws. A command that may write is refused, so that
 * checking a run cannot change it.
 */
import { defaultCommandTable } from '../../src/commands/table.ts'
import type { Engine } from '../../src/engine/engine.ts'
import { historyReply } from '../recorder.ts'
import { LocalConnection, toArgv } from '../../src/server/local-connection.ts'

export type ViewReply = string | number | null | ViewReply[]

export interface ServerView {
  call(...args: Array<string | number>): ViewReply
}

export function serverView(engine: Engine): ServerView {
  let conn: LocalConnection | null = null
  const table = defaultCommandTable()
  return {
    call(...args) {
      const name = String(args[0] ?? '').toLowerCase()
      const spec = table.get(name)
      if (!spec?.flags.includes('readonly'))
        throw new Error(`an invariant may only read: ${name} is not a read-only command`)
      conn ??= new LocalConnection(engine, 'sim')
      const reply = engine.executor.execute(conn.client, toArgv(args))
      // Between steps nobody holds the lock, so a read answers at once; a promise would mean a script or EXEC is
      // between two of its commands, which the network-level scheduler never leaves it.
      if (reply instanceof Promise) throw new Error(`${name} had to wait for the lock`)
      const plain = historyReply(reply)
      if (plain !== null && typeof plain === 'object' && !Array.isArray(plain)) throw new Error(plain.error)
      return plain as ViewReply
    },
  }
}
