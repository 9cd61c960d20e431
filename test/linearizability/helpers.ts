import type { HistoryOperation, HistoryReply, OperationInput } from '../../sim/linearizability/history.ts'
import type { Model } from '../../sim/linearizability/model.ts'

/** Shorthands for hand-made histories. */
export const cmd = (...argv: string[]): OperationInput => ({ argv })
export const script = (name: string, keys: string[], args: string[] = []): OperationInput => ({
  script: name,
  keys,
  args,
})

/** An operation of `client` spanning [invoke, ret] (ret null = unknown outcome). */
export function op(
  client: number,
  invoke: number,
  ret: number | null,
  input: OperationInput,
  output?: HistoryReply,
): HistoryOperation {
  return { client, invoke, return: ret, input, output }
}

/**
 * A single integer register, independent of the Redis model, to test the checker on its own:
 * input `{ write: n }` outputs nothing, `{ read: true }` outputs the value, `{ cas: [from, to] }` outputs success.
 */
export type RegisterInput = { write: number } | { read: true } | { cas: [number, number] }
export const registerModel: Model<number, RegisterInput, number | boolean | null> = {
  init: () => 0,
  step(state, input, output) {
    if ('write' in input) return input.write
    if ('read' in input) return output === undefined || output === state ? state : undefined
    const ok = state === input.cas[0]
    if (output !== undefined && output !== ok) return undefined
    return ok ? input.cas[1] : state
  },
  hash: (state) => state | 0,
  equal: (a, b) => a === b,
  describeOperation: (input, output) => `${JSON.stringify(input)} -> ${JSON.stringify(output)}`,
  describeState: (state) => String(state),
}

export function registerOp(
  client: number,
  invoke: number,
  ret: number | null,
  input: RegisterInput,
  output: number | boolean | null = null,
): HistoryOperation<RegisterInput, number | boolean | null> {
  return { client, invoke, return: ret, input, output }
}
