/**
 * The user's own operations (`ctx.operation(name, input, fn)`) as a history for the linearizability checker: each
 * call is invoked when the wrapper starts and returns when `fn` settles, on a logical clock the run advances; an
 * operation whose `fn` throws has an unknown outcome (it may or may not have taken effect). With a user `Model`
 * (Porcupine's shape, `redsim/linearizability`), the history is checked after the clients finish.
 */
import {
  checkLinearizability,
  formatLinearizability,
  type HistoryOperation,
  linearizabilityView,
  type Model,
} from '../linearizability/index.ts'

/** What the model's `step` receives as input: the operation's name and the input given to `ctx.operation`. */
export interface UserOperation<Input = unknown> {
  name: string
  input: Input
}

/** An operation as a report shows it: the scheduling steps it spanned (-1: it never returned). */
export interface OperationRecord {
  client: number
  name: string
  input: unknown
  output?: unknown
  from: number
  to: number
}

export class OperationRecorder {
  readonly history: Array<HistoryOperation<UserOperation, unknown>> = []
  readonly records: OperationRecord[] = []
  private clock = 0

  constructor(private readonly step: () => number) {}

  async record<T>(client: number, name: string, input: unknown, fn: () => Promise<T> | T): Promise<T> {
    const op: HistoryOperation<UserOperation, unknown> = {
      id: this.history.length,
      client,
      invoke: ++this.clock,
      return: null,
      input: { name, input },
    }
    this.history.push(op)
    const record: OperationRecord = { client, name, input, from: this.step(), to: -1 }
    this.records.push(record)
    const output = await fn()
    op.return = ++this.clock
    op.output = output
    record.to = this.step()
    record.output = output
    return output
  }

  /** Null when the history is linearizable (or the search could not decide); otherwise the checker's explanation. */
  check(model: Model<unknown, UserOperation, unknown>): string | null {
    const result = checkLinearizability(model, this.history)
    if (result.verdict !== 'violation') return null
    return formatLinearizability(linearizabilityView(model, this.history, result))
  }
}
