import type { HistoryReply, OperationInput } from '../linearizability/history.ts'
import type { Model } from '../linearizability/model.ts'
import { commandKeys, replyOf, runCommand } from './command-table.ts'
import { KeyspaceDraft, KeyspaceState } from './keyspace-state.ts'
import { CommandError, describeReply, type ModelReply, replyMatches } from './reply.ts'
import { fixtureScripts, type ScriptSpec, scriptRegistry } from './scripts.ts'

/**
 * The sequential specification of the Redis subset the workloads use, as a linearizability model: one keyspace
 * (database 0), commands from sim/model/*, the fixture scripts, and MULTI/EXEC blocks as single atomic operations.
 * Written from the Redis documentation and redis-server's observed behaviour, independently of src/.
 *
 * Judging EXEC: a block whose recorded reply is nil (aborted by WATCH) or an error (EXECABORT) had no effect; the
 * model does not second-guess why it aborted.
 */

export interface RedisModelOptions {
  /** Script specs by name (default: the fixture scripts). */
  scripts?: readonly ScriptSpec[]
  /**
   * For histories that record raw `EVAL body numkeys ...` / `EVALSHA sha numkeys ...` argv instead of script ops:
   * the script name for each body or sha.
   */
  scriptNames?: Readonly<Record<string, string>>
}

export type RedisModel = Model<KeyspaceState, OperationInput, HistoryReply>

export function redisModel(options: RedisModelOptions = {}): RedisModel {
  const lookup = scriptRegistry(options.scripts ?? fixtureScripts)
  const scriptNames = options.scriptNames ?? {}

  const scriptOf = (name: string): ScriptSpec => {
    const spec = lookup(name)
    if (spec === undefined) throw new Error(`model: no specification for script '${name}'`)
    return spec
  }

  /** A raw EVAL/EVALSHA argv as a script op, or undefined for any other command. */
  const asScript = (argv: readonly string[]): { script: string; keys: string[]; args: string[] } | undefined => {
    const name = argv[0]?.toUpperCase()
    if (name !== 'EVAL' && name !== 'EVALSHA') return undefined
    const source = name === 'EVALSHA' ? argv[1].toLowerCase() : argv[1]
    const script = scriptNames[source]
    if (script === undefined) throw new Error(`model: unknown script in ${name} (add it to scriptNames)`)
    const count = Number(argv[2])
    return { script, keys: argv.slice(3, 3 + count), args: argv.slice(3 + count) }
  }

  const runScript = (db: KeyspaceDraft, name: string, keys: readonly string[], args: readonly string[]) => {
    const spec = scriptOf(name)
    try {
      return spec.run((...argv) => runCommand(db, argv), keys, args)
    } catch (error) {
      if (error instanceof CommandError) return { error: error.message }
      throw error
    }
  }

  const execute = (db: KeyspaceDraft, input: OperationInput): ModelReply => {
    if ('multi' in input) return input.multi.map((argv) => execute(db, { argv }))
    if ('script' in input) return runScript(db, input.script, input.keys, input.args)
    const script = asScript(input.argv)
    if (script !== undefined) return runScript(db, script.script, script.keys, script.args)
    return replyOf(db, input.argv)
  }

  const keysOf = (input: OperationInput): string[] => {
    if ('multi' in input) return [...new Set(input.multi.flatMap((argv) => keysOf({ argv })))]
    if ('script' in input) return input.keys
    const script = asScript(input.argv)
    if (script !== undefined) return script.keys
    return commandKeys(input.argv).filter((key) => key !== undefined)
  }

  return {
    init: () => KeyspaceState.empty,
    step(state, input, output) {
      if (output !== undefined && 'multi' in input && isAbortedExec(output)) return state
      const db = new KeyspaceDraft(state)
      const reply = execute(db, input)
      if (output !== undefined && !replyMatches(reply, output)) return undefined
      return db.commit()
    },
    hash: (state) => state.hash,
    equal: (a, b) => a.equals(b),
    keys: keysOf,
    describeOperation: (input, output) => `${describeInput(input)} -> ${describeReply(output)}`,
    describeState: (state) => state.describe(),
  }
}

function isAbortedExec(output: HistoryReply): boolean {
  return output === null || (typeof output === 'object' && !Array.isArray(output))
}

export function describeInput(input: OperationInput): string {
  if ('multi' in input) return `MULTI { ${input.multi.map(describeArgv).join('; ')} } EXEC`
  if ('script' in input) {
    return `EVAL ${input.script} KEYS[${input.keys.map(quote).join(' ')}] ARGV[${input.args.map(quote).join(' ')}]`
  }
  return describeArgv(input.argv)
}

function describeArgv(argv: readonly string[]): string {
  return argv.map((word, i) => (i === 0 ? word.toUpperCase() : quote(word))).join(' ')
}

function quote(word: string): string {
  return /^[\x21-\x7e]+$/.test(word) && !word.includes('"') ? word : JSON.stringify(word)
}
