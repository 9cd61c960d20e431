/**
 * Workloads: named recipes in fixtures/workloads/*.json, expanded from a seed into a *scenario*: the exact programs
 * (lists of operations) of each simulated client, the setup commands, the fault plan and the timer plan. A scenario is
 * stored whole in race reports, so a replay never depends on how the recipe or the generator evolve later.
 *
 * Recipes are swarm-tested by default (Groce et al., ISSTA 2012): the client count, key count, operation mix, script
 * mix and fault rate are drawn from the seed, and each seed also leaves some features out, which finds bugs that a
 * fixed "everything at once" mix dilutes. Command-line flags override the sizes.
 *
 * Operations use only what the command table offers: a template whose command is missing, or a script whose
 * `-- requires:` commands (or EVAL itself) are missing, is left out. So scripts join the mix as soon as the scripting
 * commands exist, without any change here.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, delimiter, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import seedrandom from 'seedrandom'
import { CommandTable } from '../src/commands/table.ts'
import type { ConnectionKind } from './connections.ts'
import { type FaultPlan, planFaults, planUnblocks } from './faults.ts'
import { functionLibraryCode } from './function-library.ts'

/** Commands that block a client on keys (a workload using them also plans CLIENT UNBLOCK faults). */
const BLOCKING_COMMANDS = new Set([
  'BLPOP',
  'BRPOP',
  'BLMOVE',
  'BRPOPLPUSH',
  'BLMPOP',
  'BZPOPMIN',
  'BZPOPMAX',
  'BZMPOP',
])

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url))

type Range = number | [number, number]
export type OperationKind = 'command' | 'multi' | 'watch' | 'script'

export interface WorkloadSpec {
  name: string
  description: string
  /** Draw sizes, the mix and fault rates from the seed, and leave features out at random. */
  swarm: boolean
  clients: Range
  /** Operations per client. */
  ops: Range
  /** Keys per pool. */
  keys: Range
  /** Token name -> key prefix: `$key` picks one of k0, k1, ... */
  pools?: Record<string, string>
  mix: Partial<Record<OperationKind, number>>
  multiSize?: [number, number]
  /**
   * Which key pools the `watch` operation's key comes from, by token, with weights (default: `key` only). A pool of
   * short-lived keys puts expiry between WATCH and EXEC.
   */
  watchPools?: Record<string, number>
  /**
   * Per watch pool, a command template the client sends just before its WATCH, on the key it is about to watch (the
   * pool's token in the template is that key): `SET $ttl $unique PX $ms` gives the watched key a fresh TTL, so that it
   * often expires between WATCH and EXEC.
   */
  watchArm?: Record<string, string[]>
  commands?: Array<{ argv: string[]; weight?: number }>
  scripts?: Array<{ script: string; keys: string[]; args: string[]; weight?: number }>
  /**
   * Commands run, in order, before the clients start (`$each:POOL` expands once per key of the pool;
   * `$library:NAME:script1,script2` is the code of a function library NAME whose functions are those fixture scripts,
   * for FUNCTION LOAD).
   */
  setup?: string[][]
  /** Commands the workload cannot do without (lower-case names). */
  requires?: string[]
  faults?: { disconnect: [number, number] }
  timer?: { events: [number, number]; stepMs: [number, number] }
  /** CONFIG parameters the server starts with (e.g. a low busy-reply-threshold), as `--name value` would set them. */
  config?: Record<string, string>
  /**
   * Clients that reach the server through a connection rather than calling the executor: the chance that a client
   * uses `LocalConnection` (`local`) or RESP bytes over the simulated wire (`resp`), and the chance that each of their
   * operations is pipelined behind the previous one.
   */
  connections?: { local: number; resp: number; pipeline: number }
}

export type Operation = (
  | { kind: 'command'; argv: string[] }
  | { kind: 'multi'; commands: string[][] }
  /** WATCH key, GET key, MULTI, SET key value+1, EXEC: an optimistic increment (one attempt). */
  | { kind: 'watch'; key: string }
  | { kind: 'script'; script: string; keys: string[]; args: string[]; via: 'eval' | 'evalsha' }
) & {
  /**
   * Sent right behind the previous operation, without waiting for its reply (a pipelining client: `local` or `resp`
   * connections only; a WATCH increment, which needs the value it read, never joins a pipeline).
   */
  pipelined?: boolean
}

export interface Scenario {
  workload: string
  seed: number
  clients: number
  opsPerClient: number
  keys: number
  setup: string[][]
  programs: Operation[][]
  faults: FaultPlan
  timer: { events: number; stepMs: number }
  /** The server's starting CONFIG (reports written before it existed have none). */
  config?: Record<string, string>
  /** Script name -> Lua source, for the scripts the programs use. */
  scripts: Record<string, string>
  /** How each client reaches the server (all `direct` when absent: scenarios from before this was drawn). */
  connections?: ConnectionKind[]
}

export interface ScenarioOverrides {
  clients?: number
  ops?: number
  keys?: number
  faults?: boolean
}

export class WorkloadError extends Error {}

export interface FixtureScript {
  name: string
  source: string
  sha: string
  /** Upper-case command names from the `-- requires:` header line. */
  requires: string[]
}

let workloadCache: Map<string, WorkloadSpec> | null = null
const workloadFileCache = new Map<string, WorkloadSpec>()
let scriptCache: Map<string, FixtureScript> | null = null
/** The user script directories the cache was filled from. */
let scriptCacheDirs: string | undefined

/**
 * Directories of the user's own scripts (`npm run sim -- --scripts DIR`), separated by the path delimiter. An
 * environment variable rather than a module setting, so that the simulator's worker threads, which get a copy of the
 * environment when they start, load the same scripts.
 */
export const USER_SCRIPTS_ENV = 'REDSIM_SCRIPTS'

/** Whether `--workload` names a file (a path) rather than a recipe of fixtures/workloads/. */
export function isWorkloadPath(name: string): boolean {
  return /[\\/]/.test(name) || name.endsWith('.json')
}

/**
 * A workload recipe from a file of the user's project. Errors say what is wrong with the file in one line: missing,
 * not JSON, or not a recipe.
 */
export function loadWorkloadFile(path: string): WorkloadSpec {
  const absolute = resolve(path)
  const cached = workloadFileCache.get(absolute)
  if (cached) return cached
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new WorkloadError(
      code === 'ENOENT' ? `workload file ${path} does not exist` : `cannot read workload file ${path}: ${code ?? err}`,
    )
  }
  let spec: WorkloadSpec
  try {
    spec = JSON.parse(text) as WorkloadSpec
  } catch (err) {
    throw new WorkloadError(`workload file ${path} is not valid JSON: ${(err as Error).message}`)
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new WorkloadError(`workload file ${path} must hold one recipe object (see fixtures/workloads/)`)
  }
  if (typeof spec.mix !== 'object' || spec.mix === null) {
    throw new WorkloadError(`workload file ${path} has no "mix" (the weights of command, multi, watch, script)`)
  }
  const known = new Set<string>(['command', 'multi', 'watch', 'script'])
  const unknown = Object.keys(spec.mix).filter((kind) => !known.has(kind))
  if (unknown.length > 0) {
    throw new WorkloadError(
      `workload file ${path}: unknown operation kind '${unknown[0]}' in "mix" (known: ${[...known].join(', ')})`,
    )
  }
  // A script the recipe names but nobody has would be left out without a word (as a fixture the build cannot run).
  for (const template of spec.scripts ?? []) {
    if (!fixtureScripts().has(template.script)) {
      throw new WorkloadError(
        `workload file ${path} uses the script '${template.script}', which is neither in fixtures/scripts nor in ` +
          `a --scripts directory (${process.env[USER_SCRIPTS_ENV] || 'none given'})`,
      )
    }
  }
  // The name reports and traces show; a file without one is named after itself.
  const named = { ...spec, name: typeof spec.name === 'string' && spec.name ? spec.name : basename(path, '.json') }
  workloadFileCache.set(absolute, named)
  return named
}
let tableCache: CommandTable | null = null

export function workloads(): Map<string, WorkloadSpec> {
  if (!workloadCache) {
    workloadCache = new Map()
    const dir = join(FIXTURES_DIR, 'workloads')
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json')) continue
      const spec = JSON.parse(readFileSync(join(dir, file), 'utf8')) as WorkloadSpec
      workloadCache.set(spec.name, spec)
    }
  }
  return workloadCache
}

/** The fixture scripts, and the user's (USER_SCRIPTS_ENV) under their file names; a user script may not shadow one. */
export function fixtureScripts(): Map<string, FixtureScript> {
  const userDirs = process.env[USER_SCRIPTS_ENV] || undefined
  if (!scriptCache || scriptCacheDirs !== userDirs) {
    const scripts = new Map<string, FixtureScript>()
    const load = (dir: string, user: boolean) => {
      for (const file of readdirSync(dir).sort()) {
        if (!file.endsWith('.lua')) continue
        const name = basename(file, '.lua')
        if (user && scripts.has(name)) {
          throw new WorkloadError(`script ${join(dir, file)} has the name of a built-in fixture script: rename it`)
        }
        const source = readFileSync(join(dir, file), 'utf8')
        scripts.set(name, {
          name,
          source,
          sha: sha1(source),
          requires: /^-- requires:(.*)$/m.exec(source)?.[1].trim().split(/\s+/) ?? [],
        })
      }
    }
    load(join(FIXTURES_DIR, 'scripts'), false)
    for (const dir of userDirs?.split(delimiter).filter(Boolean) ?? []) {
      checkScriptsDir(dir)
      load(dir, true)
    }
    scriptCache = scripts
    scriptCacheDirs = userDirs
  }
  return scriptCache
}

/** A clear error when `dir` is not a directory of scripts. */
export function checkScriptsDir(dir: string): void {
  let isDirectory: boolean
  try {
    isDirectory = statSync(dir).isDirectory()
  } catch {
    throw new WorkloadError(`scripts directory ${dir} does not exist`)
  }
  if (!isDirectory) throw new WorkloadError(`${dir} is not a directory (--scripts takes a directory of .lua files)`)
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}

/** The command table of this build, to see which commands exist. */
function commandTable(): CommandTable {
  tableCache ??= new CommandTable()
  return tableCache
}

export function hasCommand(name: string): boolean {
  return commandTable().get(name.toLowerCase()) !== undefined
}

/** Whether a fixture script can run on this build: EVAL/EVALSHA and every command it requires exist. */
export function scriptAvailable(name: string): boolean {
  const script = fixtureScripts().get(name)
  if (!script || !hasCommand('eval') || !hasCommand('evalsha')) return false
  return script.requires.every(hasCommand)
}

/** A setup argument `$library:NAME:script1,script2` as the function library's code; any other argument as is. */
function expandLibrary(arg: string): string {
  if (!arg.startsWith('$library:')) return arg
  const [library, names = ''] = arg.slice('$library:'.length).split(':')
  const scripts = names.split(',').map((name) => {
    const script = fixtureScripts().get(name)
    if (!script) throw new WorkloadError(`setup ${arg}: no fixture script '${name}'`)
    return script
  })
  return functionLibraryCode(library, scripts)
}

/** A recipe by name (fixtures/workloads/) or by path (a file of the user's project). */
export function workloadSpec(name: string): WorkloadSpec {
  if (isWorkloadPath(name)) return loadWorkloadFile(name)
  const spec = workloads().get(name)
  if (!spec) throw new WorkloadError(`unknown workload '${name}' (known: ${[...workloads().keys()].join(', ')})`)
  return spec
}

type Prng = seedrandom.PRNG

function randInt(prng: Prng, min: number, max: number): number {
  return min + Math.floor(prng.quick() * (max - min + 1))
}

function fromRange(prng: Prng, range: Range | undefined, fallback: number): number {
  if (range === undefined) return fallback
  return typeof range === 'number' ? range : randInt(prng, range[0], range[1])
}

function weighted<T extends { weight?: number }>(prng: Prng, items: readonly T[]): T {
  let total = 0
  for (const item of items) total += item.weight ?? 1
  let x = prng.quick() * total
  for (const item of items) {
    x -= item.weight ?? 1
    if (x < 0) return item
  }
  return items[items.length - 1]
}

/** Swarm selection: keep each item with probability 0.7 (at least one), and jitter its weight. */
function swarmSelect<T extends { weight?: number }>(prng: Prng, items: readonly T[], swarm: boolean): T[] {
  if (!swarm || items.length <= 1) return items.slice()
  const kept = items
    .filter(() => prng.quick() < 0.7)
    .map((item) => ({ ...item, weight: (item.weight ?? 1) * (0.25 + prng.quick()) }))
  return kept.length > 0 ? kept : [items[Math.floor(prng.quick() * items.length)]]
}

const availableCache = new WeakMap<WorkloadSpec, { commands: CommandTemplate[]; scripts: ScriptTemplate[] }>()
type CommandTemplate = NonNullable<WorkloadSpec['commands']>[number]
type ScriptTemplate = NonNullable<WorkloadSpec['scripts']>[number]

/** The recipe's templates this build can run (the command table does not change within a process). */
function availableTemplates(spec: WorkloadSpec): { commands: CommandTemplate[]; scripts: ScriptTemplate[] } {
  let found = availableCache.get(spec)
  if (!found) {
    found = {
      commands: (spec.commands ?? []).filter((c) => hasCommand(c.argv[0])),
      scripts: (spec.scripts ?? []).filter((s) => scriptAvailable(s.script)),
    }
    availableCache.set(spec, found)
  }
  return found
}

/** Expands a workload recipe for one seed into a scenario. */
export function buildScenario(
  specOrName: WorkloadSpec | string,
  seed: number,
  overrides: ScenarioOverrides = {},
): Scenario {
  const spec = typeof specOrName === 'string' ? workloadSpec(specOrName) : specOrName
  const prng = seedrandom(`${seed}:workload:${spec.name}`)
  for (const required of spec.requires ?? []) {
    if (!hasCommand(required)) {
      throw new WorkloadError(
        `workload '${spec.name}' needs ${required.toUpperCase()}, which this build does not have yet`,
      )
    }
  }
  const clients = overrides.clients ?? fromRange(prng, spec.clients, 3)
  const opsPerClient = overrides.ops ?? fromRange(prng, spec.ops, 10)
  const keyCount = Math.max(1, overrides.keys ?? fromRange(prng, spec.keys, 2))
  const pools = spec.pools ?? { key: 'k' }
  const poolKeys = new Map<string, string[]>()
  for (const [token, prefix] of Object.entries(pools)) {
    poolKeys.set(
      token,
      Array.from({ length: keyCount }, (_, i) => `${prefix}${i}`),
    )
  }

  const watchPools = Object.entries(spec.watchPools ?? { key: 1 })
    .filter(([token, weight]) => weight > 0 && poolKeys.has(token))
    .map(([token, weight]) => ({ token: [`$${token}`], weight, arm: spec.watchArm?.[token] }))

  const available = availableTemplates(spec)
  const commands = swarmSelect(prng, available.commands, spec.swarm)
  const scripts = swarmSelect(prng, available.scripts, spec.swarm)
  const kinds: Array<{ kind: OperationKind; weight: number }> = []
  for (const [kind, weight] of Object.entries(spec.mix) as Array<[OperationKind, number]>) {
    if (!weight) continue
    if (kind === 'command' && commands.length === 0) continue
    if (kind === 'script' && scripts.length === 0) continue
    if (kind === 'multi' && (commands.length === 0 || !hasCommand('multi'))) continue
    if (kind === 'watch' && !(hasCommand('watch') && hasCommand('multi') && watchPools.length > 0)) continue
    const keep = !spec.swarm || prng.quick() < 0.75
    if (keep) kinds.push({ kind, weight: spec.swarm ? weight * (0.25 + prng.quick()) : weight })
  }
  if (kinds.length === 0) {
    // Swarm dropped everything (or nothing was available): fall back to any available kind.
    for (const [kind, weight] of Object.entries(spec.mix) as Array<[OperationKind, number]>) {
      if (!weight) continue
      if (kind === 'command' && commands.length > 0) kinds.push({ kind, weight })
      if (kind === 'script' && scripts.length > 0) kinds.push({ kind, weight })
      if (kind === 'multi' && commands.length > 0 && hasCommand('multi')) kinds.push({ kind, weight })
    }
  }
  if (kinds.length === 0) {
    throw new WorkloadError(
      `workload '${spec.name}' has no operation this build can run (are its commands implemented?)`,
    )
  }

  const usedScripts: Record<string, string> = {}
  const programs: Operation[][] = []
  for (let c = 0; c < clients; c++) {
    const program: Operation[] = []
    for (let o = 0; o < opsPerClient; o++) {
      const expand = tokenExpander(prng, poolKeys, c, o)
      const kind = weighted(prng, kinds).kind
      if (kind === 'command') {
        program.push({ kind, argv: expand(weighted(prng, commands).argv) })
      } else if (kind === 'multi') {
        const [min, max] = spec.multiSize ?? [1, 3]
        const size = randInt(prng, min, max)
        program.push({ kind, commands: Array.from({ length: size }, () => expand(weighted(prng, commands).argv)) })
      } else if (kind === 'watch') {
        // One pool: no draw, so recipes without watchPools expand exactly as before.
        const pool = watchPools.length === 1 ? watchPools[0] : weighted(prng, watchPools)
        // The arming command takes an operation slot of its own; in the last slot the watch goes unarmed.
        if (pool.arm === undefined || !hasCommand(pool.arm[0]) || o + 1 >= opsPerClient) {
          program.push({ kind, key: expand(pool.token)[0] })
        } else {
          const armed = expand(pool.arm)
          program.push({ kind: 'command', argv: armed }, { kind, key: armed[pool.arm.indexOf(pool.token[0])] })
          o++
        }
      } else {
        const template = weighted(prng, scripts)
        usedScripts[template.script] = fixtureScripts().get(template.script)!.source
        program.push({
          kind,
          script: template.script,
          keys: expand(template.keys),
          args: expand(template.args),
          via: prng.quick() < 0.5 ? 'eval' : 'evalsha',
        })
      }
    }
    programs.push(program)
  }

  const setup: string[][] = []
  for (let argv of spec.setup ?? []) {
    if (!hasCommand(argv[0])) continue
    argv = argv.map(expandLibrary)
    const each = argv.find((a) => a.startsWith('$each:'))
    const keys = each ? poolKeys.get(each.slice(6)) : undefined
    if (!each) setup.push(argv.slice())
    else for (const key of keys ?? []) setup.push(argv.map((a) => (a === each ? key : a)))
  }

  const faultRange = spec.faults?.disconnect ?? [0, 0]
  const faultRate = overrides.faults === false ? 0 : faultRange[0] + prng.quick() * (faultRange[1] - faultRange[0])
  const faults = planFaults(prng, clients, opsPerClient, faultRate)
  if (commands.some((c) => BLOCKING_COMMANDS.has(c.argv[0].toUpperCase()))) {
    faults.disconnects.push(...planUnblocks(seedrandom(`${seed}:unblocks:${spec.name}`), clients, faultRate))
  }
  const timerSpec = spec.timer ?? { events: [0, 0], stepMs: [1, 1] }
  const timer = { events: fromRange(prng, timerSpec.events, 0), stepMs: fromRange(prng, timerSpec.stepMs, 1) }

  const connections = spec.connections ? drawConnections(seed, spec, programs) : undefined

  return {
    workload: spec.name,
    seed,
    clients,
    opsPerClient,
    keys: keyCount,
    setup,
    programs,
    faults,
    timer,
    scripts: usedScripts,
    ...(spec.config ? { config: { ...spec.config } } : {}),
    ...(connections ? { connections } : {}),
  }
}

/**
 * Each client's connection kind, and which of its operations are pipelined, from a PRNG of their own so that the
 * scenario's other draws stay as they were.
 */
function drawConnections(seed: number, spec: WorkloadSpec, programs: Operation[][]): ConnectionKind[] | undefined {
  const odds = spec.connections!
  const prng = seedrandom(`${seed}:connections:${spec.name}`)
  const kinds: ConnectionKind[] = []
  for (const program of programs) {
    const x = prng.quick()
    const kind: ConnectionKind = x < odds.local ? 'local' : x < odds.local + odds.resp ? 'resp' : 'direct'
    kinds.push(kind)
    if (kind === 'direct') continue
    for (let o = 1; o < program.length; o++) {
      const op = program[o]
      if (op.kind !== 'watch' && program[o - 1].kind !== 'watch' && prng.quick() < odds.pipeline) op.pipelined = true
    }
  }
  return kinds.some((k) => k !== 'direct') ? kinds : undefined
}

/**
 * The statements of a generated script (`$step`, the arguments of fixtures/scripts/steps.lua): plain calls, calls whose
 * error pcall, redis.pcall or xpcall catches, commands a script may not call, and a Lua error() after the writes so far.
 */
export const STEP_STATEMENTS = [
  'set',
  'incr',
  'push',
  'get',
  'pcall',
  'rpcall',
  'xpcall',
  'eval',
  'multi',
  'unknown',
  'arity',
  'raise',
] as const

/** A template word, resolved once per template: a literal, a generated token, or a key pool (`second`: `$key2`). */
type Word =
  | { kind: 'literal'; text: string }
  | { kind: 'unique' | 'int' | 'value' | 'ms' | 'client' | 'step' }
  | { kind: 'pool'; name: string; second: boolean }

const compiledTemplates = new WeakMap<readonly string[], Word[]>()

function compileTemplate(template: readonly string[]): Word[] {
  let words = compiledTemplates.get(template)
  if (words === undefined) {
    words = template.map((token): Word => {
      if (!token.startsWith('$') || token === '$now') return { kind: 'literal', text: token }
      switch (token) {
        case '$unique':
          return { kind: 'unique' }
        case '$int':
          return { kind: 'int' }
        case '$value':
          return { kind: 'value' }
        case '$ms':
          return { kind: 'ms' }
        case '$client':
          return { kind: 'client' }
        case '$step':
          return { kind: 'step' }
      }
      const second = token.endsWith('2')
      return { kind: 'pool', name: second ? token.slice(1, -1) : token.slice(1), second }
    })
    compiledTemplates.set(template, words)
  }
  return words
}

/**
 * Fills the template tokens of one operation. `$now` stays: the client fills it in from the clock when it sends.
 * Templates are resolved once (compileTemplate); the random draws are the same, in the same order, as token by token.
 */
function tokenExpander(prng: Prng, pools: Map<string, string[]>, client: number, op: number) {
  let uniques = 0
  let firstPick: Map<string, string> | undefined
  return (template: readonly string[]): string[] => {
    const words = compileTemplate(template)
    const out = new Array<string>(words.length)
    for (let i = 0; i < words.length; i++) {
      const word = words[i]
      switch (word.kind) {
        case 'literal':
          out[i] = word.text
          break
        case 'unique':
          out[i] = `u${client + 1}.${op}.${uniques++}`
          break
        case 'int':
          out[i] = String(Math.floor(prng.quick() * 10))
          break
        case 'value':
          out[i] = `v${Math.floor(prng.quick() * 4)}`
          break
        case 'ms':
          out[i] = String(1 + Math.floor(prng.quick() * 100))
          break
        case 'client':
          out[i] = `c${client + 1}`
          break
        case 'step':
          out[i] = STEP_STATEMENTS[Math.floor(prng.quick() * STEP_STATEMENTS.length)]
          break
        case 'pool': {
          const pool = pools.get(word.name)
          if (!pool) throw new WorkloadError(`unknown template token ${template[i]}`)
          if (!word.second) {
            const key = pool[Math.floor(prng.quick() * pool.length)]
            firstPick ??= new Map()
            firstPick.set(word.name, key)
            out[i] = key
            break
          }
          // The second key of a pool differs from the first when the pool has more than one key.
          const first = firstPick?.get(word.name)
          const others = pool.length > 1 && first !== undefined ? pool.filter((k) => k !== first) : pool
          out[i] = others[Math.floor(prng.quick() * others.length)]
        }
      }
    }
    return out
  }
}
