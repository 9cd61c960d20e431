/**
 * Bounded exhaustive search (stateless model checking, as in CHESS): re-run the same small scenario from scratch many
 * times, each time following a prefix of decisions and then the non-preempting default (keep running the actor that
 * ran last), until every schedule with at most `preemptionBound` preemptions has been run or the budget is spent.
 *
 * A preemption is choosing another actor (or a timer event) while the actor that just ran could have continued.
 * Schedules are enumerated in order of their preemption count (iterative context bounding, Musuvathi and Qadeer,
 * PLDI 2007): first the one schedule without preemptions, then every schedule with one, then two. Most concurrency
 * bugs need very few preemptions, so a small budget finds them, where a plain depth-first order would spend it all
 * varying the last few decisions of the run.
 *
 * Each schedule is generated exactly once: its children branch at a decision after its own forced prefix. This works
 * because runs are deterministic: the same prefix always leads to the same enabled sets.
 */
import { nonPreemptingChoice } from '../decision-tape.ts'
import type { StepView, Strategy } from './strategy.ts'

/** A schedule still to run: the parent's tape up to `at`, then `choice`, then defaults. */
interface Pending {
  parent: readonly number[]
  at: number
  choice: number
  preemptions: number
}

interface Decision {
  count: number
  def: number
  previousEnabled: boolean
}

export class DfsExplorer {
  /** Pending schedules, bucketed by preemption count. */
  private readonly buckets: Pending[][]
  private readonly heads: number[]
  private current: { prefix: number[]; preemptions: number } = { prefix: [], preemptions: 0 }
  private decisions: Decision[] = []
  private tape: number[] = []
  private started = false
  /** Executions begun so far. */
  executions = 0

  constructor(readonly preemptionBound: number) {
    this.buckets = Array.from({ length: preemptionBound + 1 }, () => [])
    this.heads = this.buckets.map(() => 0)
  }

  /**
   * Prepares the next execution; false when every schedule within the bound has run. The first call is always true.
   * Call only after the previous execution has finished.
   */
  next(): boolean {
    if (!this.started) {
      this.started = true
      this.executions++
      return true
    }
    this.expand()
    for (let p = 0; p < this.buckets.length; p++) {
      if (this.heads[p] < this.buckets[p].length) {
        const pending = this.buckets[p][this.heads[p]]
        // Drop the reference so long explorations do not keep every tape alive.
        this.buckets[p][this.heads[p]++] = undefined as unknown as Pending
        this.current = {
          prefix: [...pending.parent.slice(0, pending.at), pending.choice],
          preemptions: pending.preemptions,
        }
        this.executions++
        return true
      }
    }
    return false
  }

  /** The strategy for the current execution. */
  strategy(): Strategy {
    const prefix = this.current.prefix
    this.decisions = []
    this.tape = []
    const decisions = this.decisions
    const tape = this.tape
    return {
      name: 'dfs',
      choose: (view: StepView): number => {
        const def = nonPreemptingChoice(view)
        decisions.push({ count: view.count, def, previousEnabled: view.enabled[def] === view.previous })
        const index = tape.length < prefix.length ? prefix[tape.length] % view.count : def
        tape.push(index)
        return index
      },
    }
  }

  /** Queues the children of the execution that just finished: one alternative at a time after its forced prefix. */
  private expand(): void {
    const { prefix, preemptions } = this.current
    const parent = this.tape
    for (let at = prefix.length; at < this.decisions.length; at++) {
      const d = this.decisions[at]
      const p = preemptions + (d.previousEnabled ? 1 : 0)
      if (p > this.preemptionBound) continue
      for (let choice = 0; choice < d.count; choice++) {
        if (choice !== d.def) this.buckets[p].push({ parent, at, choice, preemptions: p })
      }
    }
  }
}
