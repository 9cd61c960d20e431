/** Shared test helpers: an engine with a manual clock and seeded randomness, and RESP-level helpers. */
import { ManualClock } from '../src/engine/clock.ts'
import { Engine, type EngineOptions } from '../src/engine/engine.ts'
import { memoryLogger } from '../src/engine/logger.ts'
import { seededRandom } from '../src/engine/random.ts'
import { encodeReply } from '../src/protocol/resp-encoder.ts'
import type { Reply } from '../src/protocol/reply.ts'
import { type Arg, LocalConnection } from '../src/server/local-connection.ts'

export interface TestEngine {
  engine: Engine
  clock: ManualClock
  conn: LocalConnection
  /** Runs a command on the default connection and returns the RESP2 text of its reply. */
  resp(...args: Arg[]): Promise<string>
  /** Opens another connection. */
  connect(): LocalConnection
}

export function testEngine(options: EngineOptions = {}): TestEngine {
  const clock = new ManualClock()
  const engine = new Engine({ clock, random: seededRandom(1), logger: memoryLogger(), ...options })
  const conn = new LocalConnection(engine)
  return {
    engine,
    clock,
    conn,
    resp: async (...args) => respText(await conn.call(...args)),
    connect: () => new LocalConnection(engine),
  }
}

/** The RESP2 encoding of a reply as a string (latin1, so bytes survive). */
export function respText(reply: Reply, protocol: 2 | 3 = 2): string {
  return encodeReply(reply, protocol).toString('latin1')
}
