/**
 * Pub/sub sequences over three clients (SUBSCRIBE .. PUBSUB NUMPAT, subscribed-mode rules), RESP2 or RESP3.
 *
 * A model of who subscribes to what tells each step how many replies to read: one confirmation per (P)SUBSCRIBE or
 * (P)UNSUBSCRIBE argument, and after a PUBLISH one message per matching channel or pattern on every receiving
 * client, read right away by a `raw ''` step on that client. Messages for several patterns come in Redis's dict order,
 * so a client's messages from one PUBLISH are compared as a multiset. An argument-less (P)UNSUBSCRIBE is generated
 * only when it confirms at most one name (more would come in dict order too).
 */
import fc from 'fast-check'
import type { Step } from '../harness.ts'
import { replyEnd } from '../raw-client.ts'
import { unorderedElements } from './common.ts'

const CHANNELS = ['ch1', 'ch2', 'news']
const PATTERNS = ['ch*', 'ch?', '*', 'n[ae]ws', 'x*']
const CLIENTS = [0, 1, 2]

/** Redis glob-style match for the patterns above (*, ?, [set]). */
function globMatch(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`).test(name)
}

/** Several complete replies read at once, compared as a multiset. */
function unorderedFrames(text: string): string {
  const buf = Buffer.from(text, 'latin1')
  const frames: string[] = []
  for (let pos = 0; pos < buf.length; ) {
    const end = replyEnd(buf, pos)
    if (end === -1) return text
    frames.push(buf.toString('latin1', pos, end))
    pos = end
  }
  return frames.sort().join('')
}

type Action =
  | { kind: 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe'; names: string[] }
  | { kind: 'publish'; channel: string; message: string }
  | { kind: 'other'; args: string[] }

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.constantFrom(...CHANNELS), { minLength: 1, maxLength: 2 })
      .map((names): Action => ({ kind: 'subscribe' as const, names })),
  },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 })
      .map((names): Action => ({ kind: 'psubscribe' as const, names })),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...CHANNELS), { minLength: 0, maxLength: 2 })
      .map((names): Action => ({ kind: 'unsubscribe' as const, names })),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...PATTERNS), { minLength: 0, maxLength: 2 })
      .map((names): Action => ({ kind: 'punsubscribe' as const, names })),
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...CHANNELS, 'xyz'), fc.constantFrom('hi', '', 'x y'))
      .map(([channel, message]): Action => ({ kind: 'publish' as const, channel, message })),
  },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(
        ['PING'],
        ['PING', 'hello'],
        ['GET', 'a'],
        ['SET', 'a', '1'],
        ['PUBSUB', 'NUMPAT'],
        ['PUBSUB', 'NUMSUB', 'ch1', 'news', 'none'],
        ['PUBSUB', 'CHANNELS'],
        ['PUBSUB', 'CHANNELS', 'ch*'],
        ['PUBSUB', 'BOGUS'],
        ['SUBSCRIBE'],
        ['PUBLISH', 'ch1'],
      )
      .map((args): Action => ({ kind: 'other', args: [...args] })),
  },
)

interface ClientState {
  channels: Set<string>
  patterns: Set<string>
}

/** Turns actions into steps, reading exactly the replies and messages each one produces. */
function toSteps(resp3: boolean, actions: Array<[Action, number]>): Step[] {
  const state: ClientState[] = CLIENTS.map(() => ({ channels: new Set(), patterns: new Set() }))
  const steps: Step[] = []
  if (resp3) for (const client of CLIENTS) steps.push({ args: ['HELLO', '3'], client, normalize: withoutId })
  for (const [a, client] of actions) {
    const me = state[client]
    const subscribed = me.channels.size + me.patterns.size > 0
    // In RESP2 a subscribed client may only (un)subscribe, PING, QUIT or RESET: anything else is one error.
    const restricted = !resp3 && subscribed
    switch (a.kind) {
      case 'subscribe':
      case 'psubscribe': {
        const set = a.kind === 'subscribe' ? me.channels : me.patterns
        for (const n of a.names) set.add(n)
        steps.push({ args: [a.kind.toUpperCase(), ...a.names], client, replies: a.names.length })
        break
      }
      case 'unsubscribe':
      case 'punsubscribe': {
        const set = a.kind === 'unsubscribe' ? me.channels : me.patterns
        if (a.names.length === 0 && set.size > 1) break
        const replies = a.names.length > 0 ? a.names.length : 1
        if (a.names.length === 0) set.clear()
        for (const n of a.names) set.delete(n)
        steps.push({ args: [a.kind.toUpperCase(), ...a.names], client, replies })
        break
      }
      case 'publish': {
        if (restricted) {
          steps.push({ args: ['PUBLISH', a.channel, a.message], client })
          break
        }
        const received = state.map(
          (s) => (s.channels.has(a.channel) ? 1 : 0) + [...s.patterns].filter((p) => globMatch(p, a.channel)).length,
        )
        // The publisher's own messages (RESP3) arrive before its reply.
        const own = received[client]
        steps.push({
          args: ['PUBLISH', a.channel, a.message],
          client,
          replies: own + 1,
          normalize: own > 0 ? unorderedFrames : undefined,
        })
        received.forEach((count, other) => {
          if (other !== client && count > 0)
            steps.push({ raw: '', client: other, replies: count, normalize: unorderedFrames })
        })
        break
      }
      case 'other': {
        const channels = a.args[0] === 'PUBSUB' && a.args[1] === 'CHANNELS'
        steps.push({ args: a.args, client, normalize: channels ? unorderedElements : undefined })
        break
      }
    }
  }
  return steps
}

function withoutId(reply: string): string {
  return reply.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:<id>\r\n')
}

/** Pub/sub sequences; RESP3 half of the time. */
export const pubsubSequences: fc.Arbitrary<Step[]> = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(action, fc.constantFrom(...CLIENTS)), { minLength: 1, maxLength: 25 }))
  .map(([resp3, actions]) => toSteps(resp3, actions))
