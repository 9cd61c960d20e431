/**
 * `redsim/vitest`: simulations of your own code as vitest tests.
 *
 * ```ts
 * import { simulationTest, simulationProperty } from 'redsim/vitest'
 *
 * simulationTest('increments are never lost', { clients: 3, runs: 200, setup, client, check })
 *
 * it('holds for any batch size', async () => {
 *   await fc.assert(simulationProperty(fc.integer({ min: 1, max: 5 }), (batch) => ({ runs: 50, client: ... })))
 * })
 * ```
 *
 * - `simulationTest(name, options)` registers a vitest test that runs `simulate(options)` and fails with the
 *   failure's message: what went wrong, the seed, the shrunk size, the report's path and the exact command that
 *   replays it, `REDSIM_REPLAY=<report> npx vitest run <file> -t '<name>'`. With REDSIM_REPLAY set, the test whose
 *   report it is replays it (same trace hash) and every other simulation of the file searches as usual.
 * - `checkSimulation(options)` is the same check inside a test you write yourself.
 * - `simulationProperty(...arbitraries, build)` is a fast-check async property: fast-check draws the inputs, `build`
 *   turns them into the options of one simulation, and a failing simulation fails the property. fast-check then
 *   shrinks the inputs (each smaller candidate is simulated over the same seeds), and the simulator shrinks the run
 *   of each failing candidate (fewer clients, preemptions, faults); the counterexample's error is that run's message,
 *   with the inputs, the report and its trace hash. fast-check's printed `seed` and `path` replay the
 *   counterexample, and with it the same simulation, bit for bit.
 *
 * vitest and fast-check are optional peer dependencies of redsim: this entry needs both, the others neither.
 */
import { relative } from 'node:path'
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { readUserReport } from './report.ts'
import { type SimulateOptions, type SimulateResult, type SimulationFailure, simulate } from './simulate.ts'

export type { SimulateOptions, SimulateResult, SimulationContext, SimulationFailure } from './simulate.ts'

/** A simulation found a failure: the message says what, where the report is and how to replay it. */
export class SimulationFailedError extends Error {
  constructor(readonly failure: SimulationFailure) {
    super(failure.message)
    this.name = 'SimulationFailedError'
  }
}

/** Runs `simulate(options)` and throws a SimulationFailedError when it fails; resolves to the result otherwise. */
export async function checkSimulation<R>(options: SimulateOptions<R>): Promise<SimulateResult> {
  const result = await simulate(options)
  if (!result.ok) throw new SimulationFailedError(result.failure!)
  return result
}

/** A regular expression matching `text` literally, for vitest's `-t`. */
function literalPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Single quotes for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** The options of a simulation run as the test `testName` of `testFile`: replay wiring and the replay command. */
export function simulationTestOptions<R>(
  testName: string,
  testFile: string | undefined,
  options: SimulateOptions<R>,
  env: Record<string, string | undefined> = process.env,
): SimulateOptions<R> {
  const name = options.name ?? testName
  const file = testFile ? relative(process.cwd(), testFile) || testFile : '<test file>'
  const replayCommand = (path: string) =>
    `REDSIM_REPLAY=${path} npx vitest run ${file} -t ${shellQuote(literalPattern(testName))}`
  let replay = options.replay
  const fromEnv = env.REDSIM_REPLAY
  if (replay === undefined && fromEnv) {
    // REDSIM_REPLAY replays the simulation whose report it is; the file's other simulations search as usual.
    replay = readUserReport(fromEnv).name === name ? fromEnv : false
  }
  return { ...options, name, replay: replay ?? false, replayCommand: options.replayCommand ?? replayCommand }
}

/**
 * A vitest test that simulates `options` (see `simulate` in 'redsim/sim') and fails with the failure's message, the
 * report path and the replay command. `timeout` is the test's timeout in ms (simulations of many seeds take seconds).
 */
export function simulationTest<R>(name: string, options: SimulateOptions<R>, timeout?: number): void {
  test(
    name,
    async () => {
      await checkSimulation(simulationTestOptions(name, expect.getState().testPath, options))
    },
    timeout,
  )
}

/**
 * A fast-check async property over simulations: `build(...inputs)` gives the options of the simulation for the
 * inputs fast-check drew. Use with `fc.assert` (or `fc.check`); REDSIM_REPLAY is not read (fast-check's seed and path
 * replay a counterexample instead).
 */
export function simulationProperty<Ts extends [unknown, ...unknown[]], R = any>(
  ...args: [...arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, build: (...inputs: Ts) => SimulateOptions<R>]
): fc.IAsyncPropertyWithHooks<Ts> {
  const build = args[args.length - 1] as (...inputs: Ts) => SimulateOptions<R>
  const arbitraries = args.slice(0, -1) as { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }
  if (typeof build !== 'function' || arbitraries.length === 0) {
    throw new TypeError('simulationProperty takes one or more fast-check arbitraries, then a function of their values')
  }
  return fc.asyncProperty<Ts>(
    ...([
      ...arbitraries,
      async (...inputs: Ts) => {
        const options = build(...inputs)
        await checkSimulation({ ...options, replay: options.replay ?? false, inputs: fc.stringify(inputs) })
      },
    ] as unknown as Parameters<typeof fc.asyncProperty<Ts>>),
  )
}
