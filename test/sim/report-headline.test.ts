/**
 * How reports present violations: the most harmful heads the report (a wrong reply or a broken invariant before an
 * intrusion that only read, a diverged replay before everything), an intrusion made only of reads is an interleaved
 * access, and scripts are named by name.
 */
import { describe, expect, it } from 'vitest'
import { violation } from '../../sim/checkers/types.ts'
import { byHarm, nameScripts, presentViolation, presentViolations } from '../../sim/report/headline.ts'
import type { Access } from '../../sim/recorder.ts'
import { sha1 } from '../../sim/workloads.ts'

const access = (seq: number, kind: 'read' | 'write'): Access => ({
  seq,
  t: seq,
  kind,
  db: 0,
  key: 'k',
  client: 2,
  command: kind === 'read' ? 'get' : 'set',
  script: null,
  span: 1,
})
const log = [access(0, 'write'), access(1, 'read'), access(2, 'write')]
const COUNTER = "local v = redis.call('GET', KEYS[1])\nreturn v"

describe('report headline', () => {
  it('puts the most harmful violation first, keeping the checkers order among equals', () => {
    const read = violation('interleaved-writes', 'read intrusion', { accesses: [1] })
    const lost = violation('counter-total', 'a lost update')
    const unknown = violation('linearizability-unknown', 'budget')
    const wrong = violation('linearizability', 'no linearization')
    const diverged = violation('nondeterminism', 'replay diverged')
    const [first, ...rest] = presentViolations([unknown, read, lost, wrong], log, {})
    expect(first.message).toBe('a lost update')
    expect(rest.map((v) => v.kind)).toEqual(['linearizability', 'interleaved-access', 'linearizability-unknown'])
    expect(byHarm([read, diverged, lost])[0].kind).toBe('nondeterminism')
  })

  it('calls an intrusion that only read an interleaved access, and one that wrote interleaved writes', () => {
    expect(presentViolation(violation('interleaved-writes', 'x', { accesses: [1] }), log, {}).kind).toBe(
      'interleaved-access',
    )
    expect(presentViolation(violation('interleaved-writes', 'x', { accesses: [1, 2] }), log, {}).kind).toBe(
      'interleaved-writes',
    )
    // Without the log nothing is renamed.
    expect(presentViolation(violation('interleaved-writes', 'x', { accesses: [1] }), undefined, {}).kind).toBe(
      'interleaved-writes',
    )
  })

  it('names scripts by their names where the checkers give a SHA', () => {
    const sha = sha1(COUNTER).slice(0, 12)
    expect(nameScripts(`script ${sha} of client #1 was interleaved`, { counter: COUNTER })).toBe(
      `script counter (${sha}) of client #1 was interleaved`,
    )
    expect(nameScripts('script 0123456789ab of client #1', { counter: COUNTER })).toBe(
      'script 0123456789ab of client #1',
    )
  })
})
