import type { History, HistoryOperation, HistoryReply, OperationInput } from '../linearizability/history.ts'
import type { Model } from '../linearizability/model.ts'
import { commandKeys, commandSpec, runCommand } from './command-table.ts'
import { advanceClock } from './expiry.ts'
import { KeyspaceDraft, KeyspaceState } from './keyspace-state.ts'
import { BLOCKING_LIST_COMMANDS, blockingStep } from './lists.ts'
import { CommandError, describeReply, ModelErrors, type ModelReply, replyMatches } from './reply.ts'
import { fixtureScripts, type ScriptSpec, scriptRegistry } from './scripts.ts'

/**
 * The sequential specification of the Redis subset the workloads use, as a linearizability model: one keyspace
 * (database 0) with expiry on a virtual clock, commands from sim/model/*, the fixture scripts, WATCH, and MULTI/EXEC
 * blocks as single atomic operations. Written from the Redis documentation and redis-server's observed behaviour,
 * independently of src/.
 *
 * Judging EXEC: an error reply (EXECABORT) means no effect. A nil reply (aborted) is only valid when the client's
 * WATCHed keys were touched since its WATCH; an array only when they were not. For that the model needs to know
 * which client issued WATCH and EXEC: `attachClients` copies it into those inputs. Without it (or without the WATCH
 * operation in the history), a nil EXEC of a watched block is accepted as "aborted, no effect".
 */

export interface RedisModelOptions {
  /** Script specs by name (default: the fixture scripts). */
  scripts?: readonly ScriptSpec[]
  /**
   * For histories that record raw `EVAL body numkeys ...` / `EVALSHA sha numkeys ...` argv instead of script ops:
   * the script name for each body or sha.
   */
  scriptNames?: Readonly<Record<string, string>>
  /** The virtual clock (ms) before the first clock operation (default 0). */
  clock?: number
}

export interface RedisModel extends Model<KeyspaceState, OperationInput, HistoryReply> {
  /** Runs one operation sequentially: the reply the specification gives and the next state. */
  run(state: KeyspaceState, input: OperationInput): { reply: HistoryReply; state: KeyspaceState }
}

type MultiInput = Extract<OperationInput, { multi: string[][] }>

export function redisModel(options: RedisModelOptions = {}): RedisModel {
  const lookup = scriptRegistry(options.scripts ?? fixtureScripts)
  const scriptNames = options.scriptNames ?? {}
  const initial = KeyspaceState.initial(options.clock ?? 0)

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

  /**
   * FCALL / FCALL_RO of a workload library's function (sim/function-library.ts): the function is the fixture script
   * of the same name, so it is that script's specification. The library is loaded in setup and never changes, and the
   * workloads call only functions that may write through FCALL (FCALL_RO of them is an error).
   */
  const asFunctionCall = (argv: readonly string[]): Action | undefined => {
    const name = argv[0]?.toUpperCase()
    if (name === 'FUNCTION') return functionLoad(argv)
    if (name !== 'FCALL' && name !== 'FCALL_RO') return undefined
    if (argv.length < 3) return () => ({ error: ModelErrors.arity(name.toLowerCase()).message })
    const spec = lookup(argv[1].toLowerCase())
    if (spec === undefined) return () => ({ error: 'ERR Function not found' })
    const count = Number(argv[2])
    if (!Number.isInteger(count) || count < 0 || count > argv.length - 3) {
      return () => ({ error: 'ERR Bad number of keys provided' })
    }
    if (name === 'FCALL_RO')
      return () => ({ error: 'ERR Can not execute a script with write flag using *_ro command.' })
    return compileScript(spec.name, argv.slice(3, 3 + count), argv.slice(3 + count))
  }

  /**
   * FUNCTION LOAD [REPLACE] code, as workload setups send it: functions live outside the keyspace, so it only answers
   * the library's name (from the code's `#!lua name=...` line). No other FUNCTION subcommand is modelled.
   */
  const functionLoad = (argv: readonly string[]): Action => {
    const sub = argv[1]?.toUpperCase()
    if (sub !== 'LOAD' || argv.length < 3) throw new Error(`model: FUNCTION ${sub ?? ''} is not modelled`)
    const library = /^#!lua name=(\w+)\n/.exec(argv[argv.length - 1])?.[1]
    if (library === undefined) throw new Error('model: FUNCTION LOAD of code without a `#!lua name=` line')
    return () => library
  }

  /**
   * An operation compiled once into what it does to a draft: the search steps the same inputs over and over, so
   * resolving command and script specs (and checking arity) happens once per input object, not once per step.
   */
  type Action = (db: KeyspaceDraft) => ModelReply
  const compiled = new WeakMap<object, Action>()
  const actionOf = (input: OperationInput): Action => {
    let action = compiled.get(input)
    if (action === undefined) {
      action = compile(input)
      compiled.set(input, action)
    }
    return action
  }

  const compile = (input: OperationInput): Action => {
    if ('clock' in input) {
      return (db) => {
        advanceClock(db, input.clock)
        return null
      }
    }
    if ('multi' in input) {
      const actions = input.multi.map((argv) => compileCommand(argv, undefined))
      return (db) => actions.map((action) => action(db))
    }
    if ('script' in input) return compileScript(input.script, input.keys, input.args)
    return compileCommand(input.argv, input.client)
  }

  const compileScript = (name: string, keys: readonly string[], args: readonly string[]): Action => {
    const spec = scriptOf(name)
    return (db) => {
      try {
        return spec.run((...argv) => runCommand(db, argv), keys, args)
      } catch (error) {
        if (error instanceof CommandError) return { error: error.message }
        throw error
      }
    }
  }

  const compileCommand = (argv: readonly string[], client: number | string | undefined): Action => {
    if (isWatch(argv[0])) return (db) => watch(db, argv, client)
    const script = asScript(argv)
    if (script !== undefined) return compileScript(script.script, script.keys, script.args)
    const fcall = asFunctionCall(argv)
    if (fcall !== undefined) return fcall
    const spec = commandSpec(argv)
    if (spec.arity > 0 ? argv.length !== spec.arity : argv.length < -spec.arity) {
      const message = ModelErrors.arity(spec.name).message
      return () => ({ error: message })
    }
    return (db) => {
      try {
        return spec.run(db, argv)
      } catch (error) {
        if (error instanceof CommandError) return { error: error.message }
        throw error
      }
    }
  }

  const watch = (db: KeyspaceDraft, argv: readonly string[], client: number | string | undefined): ModelReply => {
    if (argv.length < 2) return { error: "ERR wrong number of arguments for 'watch' command" }
    if (client !== undefined) {
      for (const key of argv.slice(1)) db.get(key) // a key already past its expiry is gone before it is watched
      const id = String(client)
      const current = db.watchOf(id)
      const keys = [...new Set([...(current?.keys ?? []), ...argv.slice(1)])]
      db.setWatch(id, { keys, dirty: current?.dirty ?? false })
    }
    return 'OK'
  }

  const execute = (db: KeyspaceDraft, input: OperationInput): ModelReply => actionOf(input)(db)

  /** EXEC: whether the block must abort (WATCH touched), may abort (unknown), or must run; consumes the WATCH. */
  const execVerdict = (db: KeyspaceDraft, input: MultiInput): 'abort' | 'run' | 'either' => {
    if (input.client === undefined) return input.watch?.length ? 'either' : 'run'
    const id = String(input.client)
    const watched = db.watchOf(id)
    if (watched === undefined) return input.watch?.length ? 'either' : 'run'
    db.setWatch(id, undefined)
    // Redis 7.0 also aborts when a watched key expired since WATCH: the clock operation touched it.
    return watched.keys.some((key) => db.get(key) === undefined && db.base.get(key) !== undefined) || watched.dirty
      ? 'abort'
      : 'run'
  }

  const stepMulti = (state: KeyspaceState, input: MultiInput, output: HistoryReply | undefined) => {
    const db = new KeyspaceDraft(state)
    const verdict = execVerdict(db, input)
    const aborted = output === null
    const failed = output !== undefined && output !== null && typeof output === 'object' && !Array.isArray(output)
    if (failed) return db.commit() // EXECABORT & co: nothing ran (the WATCH is still consumed)
    if (verdict === 'abort') return output === undefined || aborted ? db.commit() : undefined
    if (aborted) return verdict === 'either' ? db.commit() : undefined
    const replies = execute(db, input)
    if (output !== undefined && !replyMatches(replies, output)) return undefined
    return db.commit()
  }

  const keysOf = (input: OperationInput): string[] | 'broadcast' => {
    if ('clock' in input) return 'broadcast'
    if ('multi' in input) {
      const keys: string[] = []
      for (const argv of input.multi) {
        for (const key of keysOf({ argv }) as string[]) if (!keys.includes(key)) keys.push(key)
      }
      for (const key of input.watch ?? []) if (!keys.includes(key)) keys.push(key)
      return keys
    }
    if ('script' in input) return input.keys
    if (isWatch(input.argv[0])) return input.argv.slice(1)
    const script = asScript(input.argv)
    if (script !== undefined) return script.keys
    const name = input.argv[0]?.toUpperCase()
    if (name === 'FUNCTION') return []
    if (name === 'FCALL' || name === 'FCALL_RO') {
      const count = Number(input.argv[2])
      return Number.isInteger(count) && count >= 0 ? input.argv.slice(3, 3 + count) : []
    }
    return commandKeys(input.argv).filter((key) => key !== undefined)
  }

  return {
    init: () => initial,
    run(state, input) {
      const db = new KeyspaceDraft(state)
      if ('multi' in input && execVerdict(db, input) === 'abort') return { reply: null, state: db.commit() }
      const reply = execute(db, input)
      return { reply, state: db.commit() }
    },
    step(state, input, output) {
      // Refused while a script was busy: the command never ran, whatever the state.
      if (isBusyRefusal(output)) return state
      if ('clock' in input) {
        const db = new KeyspaceDraft(state)
        advanceClock(db, input.clock)
        return db.commit()
      }
      if ('multi' in input) return stepMulti(state, input, output)
      if (output !== undefined && 'argv' in input && isBlocking(input.argv[0])) {
        // A blocking pop's reply says when and where it took effect (sim/model/lists.ts).
        const db = new KeyspaceDraft(state)
        try {
          return blockingStep(db, input.argv, output) ? db.commit() : undefined
        } catch (error) {
          if (error instanceof CommandError) return replyMatches({ error: error.message }, output) ? state : undefined
          throw error
        }
      }
      const db = new KeyspaceDraft(state)
      const reply = execute(db, input)
      if (output !== undefined && !replyMatches(reply, output)) return undefined
      return db.commit()
    },
    hash: (state) => state.hash,
    equal: (a, b) => a.equals(b),
    keys: keysOf,
    describeOperation: (input, output) =>
      'clock' in input ? `clock -> ${input.clock}` : `${describeInput(input)} -> ${describeReply(output)}`,
    describeState: (state) => state.describe(),
  }
}

/**
 * Copies each operation's client into the inputs whose meaning depends on it (WATCH, MULTI/EXEC), so the model can
 * judge WATCH. Returns a new history; other operations are shared.
 */
export function attachClients(history: History): HistoryOperation[] {
  return history.map((op) => {
    const input = op.input
    if ('multi' in input || ('argv' in input && isWatch(input.argv[0]))) {
      return { ...op, input: { ...input, client: op.client } }
    }
    return op
  })
}

/** Whether a command name is a blocking list command (BLPOP & co.), remembered per name as written. */
function isBlocking(name: string): boolean {
  let blocking = blockingByName.get(name)
  if (blocking === undefined) blockingByName.set(name, (blocking = BLOCKING_LIST_COMMANDS.has(name.toUpperCase())))
  return blocking
}
const blockingByName = new Map<string, boolean>()

/** Whether a command name is WATCH, in any case (without upper-casing every name: this runs once per operation). */
function isWatch(name: string | undefined): boolean {
  return name !== undefined && name.length === 5 && (name === 'WATCH' || name.toUpperCase() === 'WATCH')
}

export function describeInput(input: OperationInput): string {
  if ('clock' in input) return `CLOCK ${input.clock}`
  if ('multi' in input) {
    const watched = input.watch?.length ? `WATCH ${input.watch.join(' ')}; ` : ''
    return `${watched}MULTI { ${input.multi.map(describeArgv).join('; ')} } EXEC`
  }
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

/** The BUSY error a command gets while a script runs past its busy threshold: it was refused, not run. */
export function isBusyRefusal(output: HistoryReply | undefined): boolean {
  return (
    output !== null &&
    typeof output === 'object' &&
    !Array.isArray(output) &&
    'error' in output &&
    typeof output.error === 'string' &&
    output.error.startsWith('BUSY ')
  )
}
