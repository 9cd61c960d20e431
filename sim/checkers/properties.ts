/**
 * The properties a simulated run is judged by. Each violation kind a checker declares (./registry.ts) falsifies one of
 * them; the property harness (properties/harness.ts) checks each property as the set of kinds that belong to it.
 */
export const PROPERTY_SUMMARIES = {
  linearizable: 'every history (EVAL timelines included) is linearizable against the sequential model',
  'no-interleaved-writes': 'the accesses of each script and EXEC form one contiguous block of the execution log',
  invariants:
    'transfers keep the total, counters match acknowledged increments, locks are exclusive, list reads are ' +
    'prefixes, queue elements are popped at most once and never lost',
  'clean-run':
    'the run ends cleanly: no deadlock or livelock, the lease released, no internal error, the witness replay ' +
    'agrees, and every connection ran its commands in order, one at a time, and answered them in order',
} as const

export type PropertyName = keyof typeof PROPERTY_SUMMARIES
