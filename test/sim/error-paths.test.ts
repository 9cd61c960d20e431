/**
 * The default swarm workload reaches the error paths of scripts and transactions, and the correct executor passes
 * them: a `redis.call` that fails (WRONGTYPE on a key another client turned into a list or sorted set, wrong arity, an
 * unknown command, a command a script may not call), a failing call caught by pcall, redis.pcall or xpcall after
 * which the script keeps writing, a Lua error() raised after a write, and an EXEC whose queued command fails at run
 * time while the commands after it still run. Each is recognised in the history of real runs (the seeds' own
 * schedules, replayed from their tapes), so dropping a template from the recipe, or a statement from the generated
 * scripts, makes this test fail.
 */
import { describe, expect, it } from 'vitest'
import type { HistoryReply } from '../../sim/linearizability/history.ts'
import { DEFAULT_CONFIG, replayExecution, runSeed } from '../../sim/run.ts'

const SEEDS = 60

type Reached =
  | 'wrongtype in a script'
  | 'wrongtype in a plain command'
  | 'call not allowed from a script, raised'
  | 'call not allowed from a script, caught'
  | 'unknown command, raised'
  | 'wrong arity, caught'
  | 'error caught by xpcall'
  | 'error returned by redis.pcall'
  | 'caught error then a write'
  | 'error() after a write'
  | 'exec runs past a failing command'
  | 'exec aborted by an error while queueing'
  | 'wrong arity in a plain command'

function isError(reply: HistoryReply | undefined): reply is { error: string } {
  return typeof reply === 'object' && reply !== null && !Array.isArray(reply)
}

/** The error paths one history operation shows. */
function pathsOf(input: Record<string, unknown>, output: HistoryReply | undefined): Reached[] {
  const reached: Reached[] = []
  if ('script' in input) {
    const script = input.script as string
    const args = input.args as string[]
    if (isError(output)) {
      if (output.error.startsWith('WRONGTYPE')) reached.push('wrongtype in a script')
      if (output.error.startsWith('ERR This Redis command is not allowed from script')) {
        reached.push('call not allowed from a script, raised')
      }
      if (output.error.startsWith('ERR Unknown Redis command called from script'))
        reached.push('unknown command, raised')
      // The append-or-raise script raises after its APPEND landed; steps raises after any earlier write of its own.
      if (script === 'append-or-raise' && /user_script:\d+: too long/.test(output.error)) {
        reached.push('error() after a write')
      }
      if (script === 'steps' && /user_script:\d+: raised at step/.test(output.error)) {
        const before = args.slice(1, args.indexOf('raise'))
        if (before.some((s) => s === 'set' || s === 'push')) reached.push('error() after a write')
      }
    } else if (Array.isArray(output)) {
      if (script === 'guarded-incr' && output[0] === 0) reached.push('caught error then a write')
      if (script === 'steps') {
        const texts = output.filter((r): r is string => typeof r === 'string')
        if (texts.some((t) => t.startsWith('ERR This Redis command is not allowed from script'))) {
          reached.push('call not allowed from a script, caught')
        }
        if (texts.includes('ERR Wrong number of args calling Redis command from script')) {
          reached.push('wrong arity, caught')
        }
        const statements = args.slice(1)
        if (output.some((r, i) => statements[i] === 'xpcall' && typeof r === 'string' && r.startsWith('WRONGTYPE'))) {
          reached.push('error caught by xpcall')
        }
        if (output.some((r, i) => statements[i] === 'rpcall' && typeof r === 'string' && /^(ERR|WRONGTYPE) /.test(r))) {
          reached.push('error returned by redis.pcall')
        }
        // A caught error message followed by a successful SET or RPUSH of the same script.
        const caughtAt = output.findIndex(
          (r, i) => typeof r === 'string' && /^(ERR|WRONGTYPE) /.test(r) && statements[i] !== 'get',
        )
        if (caughtAt >= 0 && statements.slice(caughtAt + 1).some((s) => s === 'set' || s === 'push')) {
          reached.push('caught error then a write')
        }
      }
    }
  } else if ('multi' in input && Array.isArray(output)) {
    const failed = output.findIndex(isError)
    if (failed >= 0 && failed < output.length - 1) reached.push('exec runs past a failing command')
  } else if ('multi' in input && isError(output) && output.error.startsWith('EXECABORT')) {
    reached.push('exec aborted by an error while queueing')
  } else if ('argv' in input && isError(output) && output.error.startsWith('WRONGTYPE')) {
    reached.push('wrongtype in a plain command')
  } else if ('argv' in input && isError(output) && output.error.startsWith('ERR wrong number of arguments')) {
    reached.push('wrong arity in a plain command')
  }
  return reached
}

describe('the swarm reaches the error paths of scripts and transactions', () => {
  it(`within ${SEEDS} seeds, each on a run the correct executor passes`, async () => {
    const counts = new Map<Reached, number>()
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await runSeed({ ...DEFAULT_CONFIG, seed })
      expect(result.verdict, `seed ${seed}: ${result.violations[0]?.message}`).toBe('pass')
      const run = await replayExecution(result.scenario, 'correct', result.tape, result.maxSteps, false)
      expect(run.traceHash).toBe(result.traceHash)
      for (const op of run.recorder.history) {
        if (op.return === null) continue
        for (const path of pathsOf(op.input as unknown as Record<string, unknown>, op.output)) {
          counts.set(path, (counts.get(path) ?? 0) + 1)
        }
      }
    }
    const missing = (
      [
        'wrongtype in a script',
        'wrongtype in a plain command',
        'call not allowed from a script, raised',
        'call not allowed from a script, caught',
        'unknown command, raised',
        'wrong arity, caught',
        'error caught by xpcall',
        'error returned by redis.pcall',
        'caught error then a write',
        'error() after a write',
        'exec runs past a failing command',
        'exec aborted by an error while queueing',
        'wrong arity in a plain command',
      ] as const
    ).filter((path) => !counts.has(path))
    expect(missing, JSON.stringify(Object.fromEntries(counts))).toEqual([])
  }, 120_000)
})
