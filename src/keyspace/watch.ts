/**
 * WATCH bookkeeping that belongs with the keyspace: which clients watch which keys lives in each Database's
 * `watchers`, and forgetting all of a client's watches (UNWATCH, EXEC, DISCARD, RESET, disconnect) touches only that.
 */
import type { Client } from '../engine/client.ts'
import type { Keyspace } from './keyspace.ts'

/** Removes every WATCH of `client`. */
export function unwatchAll(keyspace: Keyspace, client: Client): void {
  for (const w of client.watched) {
    const watchers = keyspace.db(w.db).watchers
    const set = watchers.get(w.key)
    if (set) {
      set.delete(client)
      if (set.size === 0) watchers.delete(w.key)
    }
  }
  client.watched = []
  client.dirtyCas = false
}
