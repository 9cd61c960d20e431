import type { CommandSpec } from './command-spec.ts'
import type { KeyspaceDraft } from './keyspace-state.ts'
import { connectionCommands } from './connection.ts'
import { expiryCommands } from './expiry.ts'
import { keyCommands } from './keys.ts'
import { listCommands } from './lists.ts'
import { CommandError, ModelErrors, type ModelReply } from './reply.ts'
import { stringCommands } from './strings.ts'
import { zsetCommands } from './zsets.ts'

/** The commands the model specifies, by upper-case name. */
export const modelCommands: ReadonlyMap<string, CommandSpec> = new Map(
  [...stringCommands, ...keyCommands, ...expiryCommands, ...listCommands, ...zsetCommands, ...connectionCommands].map(
    (spec) => [spec.name, spec],
  ),
)

/**
 * Resolves a command of the model. A command outside the model is a configuration error (the workload uses
 * something the checker cannot judge), reported loudly rather than guessed at.
 */
export function commandSpec(argv: readonly string[]): CommandSpec {
  if (argv.length === 0) throw new Error('model: empty command')
  let spec = byWrittenName.get(argv[0])
  if (spec === undefined) {
    spec = modelCommands.get(argv[0].toUpperCase())
    if (spec === undefined) throw new Error(`model: command ${argv[0]} is not modelled`)
    byWrittenName.set(argv[0], spec)
  }
  return spec
}

/** Specs by the name as written (`get`, `Get`...), so scripts' calls skip the upper-casing after the first time. */
const byWrittenName = new Map<string, CommandSpec>()

/** Runs one command against the draft; error replies are thrown as CommandError (like `redis.call`). */
export function runCommand(db: KeyspaceDraft, argv: readonly string[]): ModelReply {
  const spec = commandSpec(argv)
  if (spec.arity > 0 ? argv.length !== spec.arity : argv.length < -spec.arity) throw ModelErrors.arity(spec.name)
  return spec.run(db, argv)
}

/** Runs one command as a client would see it: error replies become `{ error }`. */
export function replyOf(db: KeyspaceDraft, argv: readonly string[]): ModelReply {
  try {
    return runCommand(db, argv)
  } catch (error) {
    if (error instanceof CommandError) return { error: error.message }
    throw error
  }
}

export function commandKeys(argv: readonly string[]): string[] {
  return commandSpec(argv).keys(argv)
}
