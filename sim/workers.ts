/**
 * Runs a range of seeds, in this thread (one worker) or on a pool of worker threads.
 *
 * node:worker_threads directly rather than a pool library such as piscina: seeds are independent and CPU-bound, the
 * pool needs exactly one message shape (a chunk of seeds in, one summary per seed out) plus dynamic hand-out of chunks
 * so that slow seeds (DFS explorations) do not leave workers idle; that is a few dozen lines, and one dependency less.
 *
 * Results are identical whatever the worker count: each seed's run depends only on the seed and the configuration,
 * and results are returned in seed order.
 */
import { availableParallelism } from 'node:os'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { violation } from './checkers/types.ts'
import { runSeed, runSeedTwice, type SeedResult, type SimConfig } from './run.ts'

const WORKER_MARK = 'redsim-sim-worker'

export type BatchConfig = Omit<SimConfig, 'seed'>

/** A seed's result as a batch keeps it: passing seeds drop their scenario and tape (reports re-create them). */
export type SeedSummary = Omit<SeedResult, 'scenario' | 'tape'> & Partial<Pick<SeedResult, 'scenario' | 'tape'>>

export function slim(result: SeedResult): SeedSummary {
  if (result.verdict === 'violation') return result
  const { scenario: _scenario, tape: _tape, ...rest } = result
  return rest
}

export function defaultWorkers(): number {
  return availableParallelism()
}

async function runOne(config: BatchConfig, seed: number, checkDeterminism: boolean): Promise<SeedSummary> {
  try {
    const full = { ...config, seed }
    return slim(checkDeterminism ? await runSeedTwice(full) : await runSeed(full))
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return {
      seed,
      strategy: String(config.strategy),
      workload: config.workload,
      mutant: config.mutant,
      clients: 0,
      operations: 0,
      steps: 0,
      decisions: 0,
      executions: 0,
      verdict: 'violation',
      violations: [violation('sim-error', `seed ${seed} could not run: ${message}`)],
      traceHash: '',
      explorationHash: '',
      maxSteps: 0,
    }
  }
}

export interface BatchOptions {
  config: BatchConfig
  seeds: readonly number[]
  workers: number
  checkDeterminism: boolean
  /** Called once per finished seed, in completion order. */
  onResult?: (result: SeedSummary) => void
}

/** Runs every seed; resolves to the results in the order of `seeds`. */
export async function runBatch(options: BatchOptions): Promise<SeedSummary[]> {
  const { seeds, config, checkDeterminism } = options
  const workers = Math.max(1, Math.min(options.workers, seeds.length))
  const results: SeedSummary[] = new Array(seeds.length)
  if (workers === 1) {
    for (let i = 0; i < seeds.length; i++) {
      results[i] = await runOne(config, seeds[i], checkDeterminism)
      options.onResult?.(results[i])
      // Let the event loop breathe (progress bar, signals) now and then; runs themselves never touch it.
      if (i % 16 === 15) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    return results
  }

  const index = new Map<number, number>()
  for (const [i, seed] of seeds.entries()) index.set(seed, i)
  const chunk = Math.max(1, Math.min(32, Math.ceil(seeds.length / (workers * 8))))
  let next = 0
  await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<void>((resolve, reject) => {
          // worker-entry.mjs registers tsx in the thread (the main thread's loader does not carry over on Node 20).
          const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
            workerData: { [WORKER_MARK]: true, config, checkDeterminism },
            execArgv: [],
          })
          const feed = () => {
            if (next >= seeds.length) {
              void worker.terminate().then(() => resolve())
              return
            }
            const part = seeds.slice(next, next + chunk)
            next += part.length
            worker.postMessage(part)
          }
          worker.on('message', (msg: { result?: SeedSummary; done?: boolean }) => {
            if (msg.result) {
              results[index.get(msg.result.seed)!] = msg.result
              options.onResult?.(msg.result)
            }
            if (msg.done) feed()
          })
          worker.on('error', reject)
          worker.once('online', feed)
        }),
    ),
  )
  return results
}

/** Worker side: run each chunk of seeds it is sent, one summary message per seed, then `done`. */
if (!isMainThread && workerData?.[WORKER_MARK] && parentPort) {
  const port = parentPort
  const { config, checkDeterminism } = workerData as { config: BatchConfig; checkDeterminism: boolean }
  port.on('message', async (seeds: number[]) => {
    for (const seed of seeds) port.postMessage({ result: await runOne(config, seed, checkDeterminism) })
    port.postMessage({ done: true })
  })
}
