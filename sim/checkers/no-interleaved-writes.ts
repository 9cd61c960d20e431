/**
 * No interleaved writes: in the execution log, the accesses of each script and of each EXEC (each atomic span) form
 * one contiguous block. Any other span's access (read or write, another client's command or a timer's expiry) between
 * an atomic span's first and last access is a violation. Linear in the log length.
 */
import type { Access } from '../recorder.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'
import { violation } from './types.ts'

/** At most this many violations are reported per run: the first ones say it all. */
const MAX_REPORTED = 3

export const noInterleavedWrites = {
  name: 'no-interleaved-writes',
  kinds: [
    {
      kind: 'interleaved-writes',
      property: 'no-interleaved-writes',
      catches: true,
      description:
        "another span's access (a command of another client or a timer's expiry) ran inside a script or EXEC",
    },
  ],
  check(run: RecordedRun): Violation[] {
    const { log, spans } = run
    // Span ids are dense indexes into `spans`: count each span's blocks of consecutive log entries.
    const first = new Int32Array(spans.length).fill(-1)
    const last = new Int32Array(spans.length)
    const blocks = new Int32Array(spans.length)
    let previous = -1
    for (let i = 0; i < log.length; i++) {
      const span = log[i].span
      if (first[span] === -1) first[span] = i
      last[span] = i
      if (span !== previous) blocks[span]++
      previous = span
    }
    const out: Violation[] = []
    for (let spanId = 0; spanId < spans.length; spanId++) {
      if (blocks[spanId] < 2 || out.length >= MAX_REPORTED) continue
      const span = spans[spanId]
      if (!span.atomic) continue
      const from = first[spanId]
      const to = last[spanId]
      const own: Access[] = []
      const intruders: Access[] = []
      for (let i = from; i <= to; i++) (log[i].span === spanId ? own : intruders).push(log[i])
      const intruder = intruders[0]
      const intruderSpan = spans[intruder.span]
      const what =
        span.command === 'exec' ? 'EXEC' : `script ${own.find((a) => a.script)?.script?.slice(0, 12) ?? span.command}`
      const keys = [...new Set([...own, ...intruders].map((a) => a.key))]
      const ops = [span.op, ...new Set(intruders.map((a) => spans[a.span].op))].filter((op) => op >= 0)
      out.push(
        violation(
          'interleaved-writes',
          `${what} of client #${span.client} was interleaved: ${intruder.command.toUpperCase()} ${intruder.key} ` +
            `(${intruder.kind}) of ${intruderSpan.client === 0 ? 'a timer event' : `client #${intruderSpan.client}`} ` +
            `ran between its accesses #${from} and #${to}`,
          {
            clients: [...new Set([span.client, ...intruders.map((a) => spans[a.span].client)])],
            operations: [...new Set(ops)],
            keys,
            accesses: intruders.map((a) => a.seq),
          },
        ),
      )
    }
    return out
  },
} as const satisfies Checker
