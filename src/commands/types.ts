/**
 * The shape of one entry of the command table. Each command is declared once, with Redis's arity convention, flags
 * and key positions; dispatch, arity errors, COMMAND output, MULTI queueing checks and script restrictions all read
 * these declarations.
 */
import type { Client } from '../engine/client.ts'
import type { Engine } from '../engine/engine.ts'
import type { Lease } from '../engine/lock.ts'
import type { Database } from '../keyspace/database.ts'
import type { Reply } from '../protocol/reply.ts'

/** Redis 7.0 command flags, spelled as COMMAND INFO prints them. */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy'
  | 'asking'
  | 'sentinel'

/** Where a command is being run from; scripts and EXEC re-enter the executor under their lease. */
export type CommandOrigin = 'client' | 'exec' | 'script'

/** What a running script exposes to the commands it calls (filled in by the Lua host). */
export interface ScriptFrame {
  readonly sha: string
  /** The script may not write (EVAL_RO, EVALSHA_RO, or `#!lua flags=no-writes`). */
  readonly readOnly: boolean
  /** Set once the script performed a write (SCRIPT KILL then answers UNKILLABLE). */
  wrote: boolean
  /** The database the script's commands use; SELECT inside a script changes only this. */
  db: number
}

export interface CommandContext {
  readonly engine: Engine
  readonly client: Client
  readonly argv: Buffer[]
  readonly lease: Lease
  readonly spec: CommandSpec
  readonly origin: CommandOrigin
  readonly script: ScriptFrame | null
  /** The database this command operates on. */
  readonly db: Database
  /** Selects another database for the rest of this context's caller (client, or script frame). */
  select(index: number): void
}

export type CommandHandler = (ctx: CommandContext) => Reply | Promise<Reply>

export interface CommandSpec {
  /** Lower-case name; for subcommands the subcommand alone (`get` under `config`). */
  readonly name: string
  /** Redis's convention: N means exactly N arguments including the name, -N means at least N. */
  readonly arity: number
  readonly flags: readonly CommandFlag[]
  /** 1-based key positions in argv, Redis style: first, last (negative counts from the end), step. 0 = no keys. */
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  /** ACL categories without '@' (`string`, `fast`, `write`, ...), for COMMAND INFO. */
  readonly categories: readonly string[]
  /** For commands whose keys cannot be described by first/last/step (EVAL, ZUNIONSTORE, ...). */
  readonly getKeys?: (argv: Buffer[]) => number[]
  readonly subcommands?: readonly CommandSpec[]
  /** Set on subcommands: their container's name. */
  readonly container?: string
  readonly handler: CommandHandler
}

/** Declares a command with defaults filled in; keeps each declaration to the facts that matter. */
export function command(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  keys: readonly [first: number, last: number, step: number] | null,
  categories: readonly string[],
  handler: CommandHandler,
  extra: { getKeys?: (argv: Buffer[]) => number[]; subcommands?: CommandSpec[] } = {},
): CommandSpec {
  const [firstKey, lastKey, step] = keys ?? [0, 0, 0]
  const subcommands = extra.subcommands?.map((sub) => ({ ...sub, container: name }))
  return { name, arity, flags, firstKey, lastKey, step, categories, handler, getKeys: extra.getKeys, subcommands }
}

/** The full name Redis uses in errors and COMMAND output: `get`, or `config|get` for a subcommand. */
export function fullName(spec: CommandSpec): string {
  return spec.container ? `${spec.container}|${spec.name}` : spec.name
}

/** Positions (0-based in argv) of the keys of a command, from its declaration. */
export function keyPositions(spec: CommandSpec, argv: Buffer[]): number[] {
  if (spec.getKeys) return spec.getKeys(argv)
  if (spec.firstKey === 0) return []
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey
  const out: number[] = []
  for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step) out.push(i)
  return out
}
