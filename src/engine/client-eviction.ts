/**
 * Closing clients from the server side: CLIENT KILL and the idle `timeout` (Redis's freeClient and
 * clientsCronHandleTimeout). A client is closed through its connection (`Client.closeConnection`), which closes the
 * transport and then removes the client from the engine; the client's in-flight command finishes or is dropped by
 * the executor (`client.closed`), and a lease it holds is released on the executor's normal paths.
 */
import type { Client } from './client.ts'
import type { Engine } from './engine.ts'

/** Redis's client types (getClientType); redsim has no replicas and no master link, so only these two occur. */
export type ClientType = 'normal' | 'pubsub'

/** Redis's getClientType: a client with any subscription (channels, patterns, shard channels) is a pub/sub client. */
export function clientType(engine: Engine, client: Client): ClientType {
  return engine.pubsub.total(client) > 0 ? 'pubsub' : 'normal'
}

/** Closes `client`'s connection now (a no-op for a client already gone). */
export function killClient(engine: Engine, client: Client): void {
  if (client.closed) return
  const close = client.closeConnection
  if (close) close()
  // Without a transport, or if the connection's close did not remove it: removing it is what closing means.
  if (!client.closed) engine.removeClient(client)
}

/**
 * Redis's clientsCronHandleTimeout, for every client: with `timeout` set, a client idle for more than that many whole
 * seconds is closed, except pub/sub subscribers and clients that are being served (blocked in BLPOP & co., postponed
 * by CLIENT PAUSE, or with a command in flight). Returns how many were closed.
 */
export function closeIdleClients(engine: Engine): number {
  const maxIdle = engine.config.getNumber('timeout')
  if (maxIdle <= 0) return 0
  const now = Math.floor(engine.clock.now() / 1000)
  const idle: Client[] = []
  for (const client of engine.clients.values()) {
    if (client.commandsInFlight > 0) continue
    if (engine.blocking.isBlocked(client) || engine.clientPause.isPostponed(client)) continue
    if (engine.pubsub.total(client) > 0) continue
    if (now - Math.floor(client.lastInteraction / 1000) > maxIdle) idle.push(client)
  }
  for (const client of idle) {
    engine.log('verbose', 'Closing idle client')
    killClient(engine, client)
  }
  return idle.length
}
