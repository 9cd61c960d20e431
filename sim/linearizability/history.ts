/**
 * The history a linearizability check reads: what each client asked, when, and what it saw. This is everything the
 * checker knows about a run (a black box): no executor order, no keyspace log.
 *
 * Times are logical (any increasing number the recorder hands out, e.g. the scheduler's step counter); only their
 * order matters. All values are JSON-safe so a history can be stored in a race report and replayed into the checker.
 */

/** A reply as the client saw it, in a JSON-safe form (see `toHistoryReply`). */
export type HistoryReply = string | number | null | HistoryReply[] | { error: string }

/** A plain command: `['SET', 'k', 'v']`. Names and options are case-insensitive; keys and values are latin1 strings. */
export interface CommandInput {
  argv: string[]
  /** The issuing client, for commands whose meaning depends on it (WATCH); see `attachClients`. */
  client?: number | string
}

/** EVAL/EVALSHA of a named fixture script (its name, e.g. `transfer`, picks the model's sequential spec). */
export interface ScriptInput {
  script: string
  keys: string[]
  args: string[]
}

/** A MULTI ... EXEC block; the recorded output is EXEC's reply (an array, an error, or null when aborted). */
export interface MultiInput {
  multi: string[][]
  /** The keys the client WATCHed before MULTI (an optimistic transaction); absent for a plain MULTI. */
  watch?: string[]
  /** The issuing client (EXEC consumes its WATCH); see `attachClients`. */
  client?: number | string
}

/**
 * The virtual clock moved to `clock` ms (a timer event of the simulator). Keys whose expiry time has passed expire.
 * Record one at the start of a run with the initial time, then one per timer event, with invoke = return.
 */
export interface ClockInput {
  clock: number
}

export type OperationInput = CommandInput | ScriptInput | MultiInput | ClockInput

/** One client operation. */
export interface HistoryOperation<Input = OperationInput, Output = HistoryReply> {
  /** Stable identifier used in reports; defaults to the operation's index in the history. */
  id?: number
  /** The client (connection) that issued it. */
  client: number | string
  /** Logical time the client sent it. */
  invoke: number
  /**
   * Logical time the reply reached the client, or `null` when the outcome is unknown (the client disconnected before
   * the reply). An unknown operation may or may not have taken effect, and stays concurrent with everything after it.
   */
  return: number | null
  input: Input
  /** The reply; ignored (unconstrained) when `return` is null. */
  output?: Output
}

export type History<Input = OperationInput, Output = HistoryReply> = ReadonlyArray<HistoryOperation<Input, Output>>

/** The checker's internal view of an operation: dense index, unknown outcome as `return = Infinity`. */
export interface PreparedOperation<Input, Output> {
  /** Index in the prepared array (dense, 0-based). */
  index: number
  id: number
  client: number | string
  invoke: number
  /** `Infinity` when the outcome is unknown. */
  return: number
  known: boolean
  input: Input
  output: Output | undefined
}

/** Validates a history and gives each operation a dense index. Throws on malformed operations (a recorder bug). */
export function prepareHistory<Input, Output>(
  history: History<Input, Output>,
): Array<PreparedOperation<Input, Output>> {
  const seen = new Set<number>()
  return history.map((op, index) => {
    const id = op.id ?? index
    if (seen.has(id)) throw new Error(`history: duplicate operation id ${id}`)
    seen.add(id)
    if (!Number.isFinite(op.invoke)) throw new Error(`history: operation ${id} has no finite invoke time`)
    const known = op.return !== null && op.return !== undefined
    if (known && !(Number.isFinite(op.return) && (op.return as number) >= op.invoke)) {
      throw new Error(`history: operation ${id} returns (${op.return}) before it is invoked (${op.invoke})`)
    }
    return {
      index,
      id,
      client: op.client,
      invoke: op.invoke,
      return: known ? (op.return as number) : Number.POSITIVE_INFINITY,
      known,
      input: op.input,
      output: known ? op.output : undefined,
    }
  })
}

/**
 * The events of a history in the order the search walks them: node 2i is the call of operation i, node 2i+1 its
 * return (absent for unknown outcomes). Sorted by time; at equal times calls come first, so operations that meet at a
 * single instant count as overlapping (the permissive reading: it never invents a violation).
 */
export function eventOrder(ops: ReadonlyArray<{ invoke: number; return: number; known: boolean }>): number[] {
  const events: number[] = []
  for (let i = 0; i < ops.length; i++) {
    events.push(2 * i)
    if (ops[i].known) events.push(2 * i + 1)
  }
  // Each node's time, looked up once rather than through the operation at every comparison.
  const time = new Float64Array(2 * ops.length)
  for (let i = 0; i < ops.length; i++) {
    time[2 * i] = ops[i].invoke
    time[2 * i + 1] = ops[i].return
  }
  events.sort((a, b) => time[a] - time[b] || (a & 1) - (b & 1) || a - b)
  return events
}

/**
 * Converts a server reply to its JSON-safe history form without depending on the server's classes (the checker is a
 * black box): Buffers become latin1 strings (keys and values are byte strings), bigints numbers, status replies
 * (`{ value }`) their text, error replies (`{ message }`) `{ error }`, nil arrays `null`, arrays recursively.
 */
export function toHistoryReply(reply: unknown): HistoryReply {
  if (reply === null || reply === undefined) return null
  if (typeof reply === 'string' || typeof reply === 'number') return reply
  if (typeof reply === 'bigint') return Number(reply)
  if (typeof reply === 'boolean') return reply ? 1 : null
  if (Buffer.isBuffer(reply)) return reply.toString('latin1')
  if (Array.isArray(reply)) return reply.map(toHistoryReply)
  if (typeof reply === 'object') {
    const record = reply as Record<string, unknown>
    if (typeof record.message === 'string') return { error: record.message }
    if (typeof record.error === 'string') return { error: record.error }
    if (typeof record.value === 'string' || typeof record.value === 'number') return record.value
    if (typeof record.value === 'boolean') return record.value ? 1 : null
    if (Array.isArray(record.entries)) return record.entries.flat().map(toHistoryReply)
    if (Array.isArray(record.items)) return record.items.map(toHistoryReply)
    // NilArray and other payload-free markers.
    if (Object.keys(record).length === 0) return null
  }
  throw new Error(`history: cannot represent reply ${String(reply)}`)
}
