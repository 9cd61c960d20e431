/**
 * MONITOR: clients that get a line for every command the server runs, as Redis 7.0's replicationFeedMonitors writes
 * it — `+<seconds>.<microseconds> [<db> <peer>] "arg" "arg" ...` as a status reply, `lua` as the peer for commands a
 * script runs. The time is the engine's clock. Admin commands and those flagged skip_monitor are not shown; EVAL and
 * FCALL (skip_monitor) are shown before they run, so a script's commands follow their script, as in Redis.
 */
import type { CommandOrigin, CommandSpec } from '../commands/types.ts'
import { catRepr } from '../protocol/cat-repr.ts'
import { SimpleString } from '../protocol/reply.ts'
import type { Client } from './client.ts'
import type { Engine } from './engine.ts'

const monitorsByEngine = new WeakMap<Engine, Set<Client>>()
/** Monitors across every engine: when none, feeding costs one comparison per command. */
let monitorCount = 0

/** The commands that feed monitors themselves, before running (Redis's evalCommand, fcallCommand, ...). */
const FED_BEFORE_RUNNING = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'])

/** Makes `client` a monitor. False when it already is one (Redis then answers nothing). */
export function addMonitor(engine: Engine, client: Client): boolean {
  let monitors = monitorsByEngine.get(engine)
  if (!monitors) monitorsByEngine.set(engine, (monitors = new Set()))
  if (monitors.has(client)) return false
  monitors.add(client)
  monitorCount++
  return true
}

export function isMonitor(engine: Engine, client: Client): boolean {
  return monitorsByEngine.get(engine)?.has(client) ?? false
}

function feed(engine: Engine, client: Client, origin: CommandOrigin, db: number, argv: readonly Buffer[]): void {
  const monitors = monitorsByEngine.get(engine)
  if (!monitors) return
  const now = engine.clock.now()
  const seconds = Math.floor(now / 1000)
  const micros = Math.floor((now - seconds * 1000) * 1000)
  const peer = origin === 'script' ? 'lua' : client.addr
  let line = `${seconds}.${String(micros).padStart(6, '0')} [${db} ${peer}]`
  for (const arg of argv) line += ` ${catRepr(arg)}`
  const reply = new SimpleString(line)
  for (const monitor of monitors) {
    if (monitor.closed) {
      monitors.delete(monitor)
      monitorCount--
    } else monitor.push(reply)
  }
}

/** Before a command runs: EVAL and FCALL show themselves now, ahead of the commands their script runs. */
export function feedMonitorsBefore(
  engine: Engine,
  client: Client,
  spec: CommandSpec,
  origin: CommandOrigin,
  db: number,
  argv: readonly Buffer[],
): void {
  if (monitorCount > 0 && FED_BEFORE_RUNNING.has(spec.name)) feed(engine, client, origin, db, argv)
}

/** After a command ran: every command but admin and skip_monitor ones, with the database it ended in. */
export function feedMonitorsAfter(
  engine: Engine,
  client: Client,
  spec: CommandSpec,
  origin: CommandOrigin,
  db: number,
  argv: readonly Buffer[],
): void {
  if (monitorCount === 0 || spec.flags.includes('admin') || spec.flags.includes('skip_monitor')) return
  feed(engine, client, origin, db, argv)
}
