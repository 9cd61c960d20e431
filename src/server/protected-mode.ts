/**
 * Protected mode, as Redis 7.0's clientAcceptHandler applies it: while `protected-mode` is yes and the default user
 * has no password (`requirepass` empty), a connection from anywhere but the loopback interface gets one error line
 * and is closed. Loopback means what Redis's connIsLocal accepts (127.0.0.0/8 and ::1), plus the IPv4-mapped form of
 * 127.0.0.0/8 that a dual-stack socket reports for the same peers. A peer whose address cannot be read is not local,
 * as in Redis.
 */
import type { ConfigRegistry } from '../engine/config.ts'

/** Redis 7.0's reply, byte for byte (from the redis-server binary). */
export const PROTECTED_MODE_DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the ' +
  'default user. In this mode connections are only accepted from the loopback interface. If you want to connect ' +
  'from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode ' +
  "sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the " +
  'same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. ' +
  'Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by ' +
  "editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the " +
  "server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' " +
  'option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above ' +
  'things in order for the server to start accepting connections from the outside.\r\n'

/** Whether `address` (as Node reports a peer) is on the loopback interface. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false
  if (address === '::1') return true
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4.startsWith('127.')
}

/** Whether a connection from `remoteAddress` must be refused with PROTECTED_MODE_DENIED. */
export function protectedModeDenies(config: ConfigRegistry, remoteAddress: string | undefined): boolean {
  return config.get('protected-mode') === 'yes' && config.get('requirepass') === '' && !isLoopback(remoteAddress)
}
