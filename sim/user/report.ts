/**
 * Race reports of user simulations: a JSON file with everything a replay needs (seed, client count, decision tape,
 * step budget, the trace hash it must reproduce) and everything a reader needs (the failure, the commands each
 * connection sent as the server received them, the replies, time), and a self-contained HTML page of the same: one
 * lane per connection, one row per scheduling step.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { redsimVersion } from '../version.ts'
import type { ClientLibrary } from './client-libraries.ts'
import type { OperationRecord } from './operations.ts'
import type { FailureKind, FaultBudget, RunResult, StepRecord } from './run.ts'

export const USER_REPORT_FORMAT = 'redsim-user-simulation'

export interface ShrinkSummary {
  clients: number
  seed: number
  steps: number
  preemptions: number
}

export interface UserSimulationReport {
  format: typeof USER_REPORT_FORMAT
  formatVersion: 1
  redsim: { version: string; commit: string }
  /** How to reproduce this run. */
  replay: string
  name: string
  kind: FailureKind | 'nondeterminism'
  message: string
  seed: number
  clients: number
  clientLibrary: ClientLibrary
  maxSteps: number
  /** The faults the run was allowed (reports written before stalls existed have only `disconnects`). */
  faults: FaultBudget | { disconnects: number }
  tape: number[]
  traceHash: string
  steps: number
  preemptions: number
  /** The failing run as first found, when shrinking made it smaller. */
  shrunkFrom: ShrinkSummary | null
  /** The run's inputs (a property's arguments, as fast-check prints them), when it had any. */
  inputs?: string
  /** Connection id -> owner ('setup', 'client 1', 'check'). */
  connections: Record<number, string>
  trace: StepRecord[]
  /** The user's own operations (`ctx.operation`), with the steps they spanned (to = -1: never returned). */
  operations: OperationRecord[]
}

export function buildUserReport(
  run: RunResult,
  fields: {
    name: string
    clientLibrary: ClientLibrary
    maxSteps: number
    replay: string
    shrunkFrom: ShrinkSummary | null
    kind?: UserSimulationReport['kind']
    message?: string
    inputs?: string
  },
): UserSimulationReport {
  return {
    format: USER_REPORT_FORMAT,
    formatVersion: 1,
    redsim: redsimVersion(),
    replay: fields.replay,
    name: fields.name,
    kind: fields.kind ?? run.failure?.kind ?? 'check',
    message: fields.message ?? run.failure?.message ?? '',
    seed: run.seed,
    clients: run.clients,
    clientLibrary: fields.clientLibrary,
    maxSteps: fields.maxSteps,
    faults: run.faults,
    tape: run.tape,
    traceHash: run.traceHash,
    steps: run.steps,
    preemptions: run.preemptions,
    shrunkFrom: fields.shrunkFrom,
    ...(fields.inputs === undefined ? {} : { inputs: fields.inputs }),
    connections: run.connections,
    trace: run.trace,
    operations: run.operations,
  }
}

/** Where the report of `name`'s failing `seed` goes (without extension). */
export function reportBase(dir: string, name: string, seed: number, kind: string): string {
  const slug = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'simulation'
  return join(dir, `${slug}-${seed}-${kind}`)
}

/** Writes `<base>.json` and `<base>.html`; returns the JSON path. */
export function writeUserReport(base: string, report: UserSimulationReport): string {
  mkdirSync(join(base, '..'), { recursive: true })
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 1)}\n`)
  writeFileSync(`${base}.html`, renderUserReport(report))
  return `${base}.json`
}

export function readUserReport(path: string): UserSimulationReport {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`cannot read the report ${path}: ${(err as Error).message}`)
  }
  const report = parsed as UserSimulationReport
  if (report?.format !== USER_REPORT_FORMAT || !Array.isArray(report.tape) || typeof report.seed !== 'number') {
    throw new Error(`${path} is not a report of a user simulation (format ${USER_REPORT_FORMAT})`)
  }
  return report
}

function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function cell(step: StepRecord): string {
  if (step.kind === 'send') {
    const commands = step.commands ?? []
    if (commands.length === 0) return '<span class="send">→ (part of a command)</span>'
    return commands.map((c) => `<span class="send">→ ${esc(c.join(' '))}</span>`).join('<br>')
  }
  if (step.kind === 'reply') return `<span class="reply">← ${esc(step.text ?? '')}</span>`
  if (step.kind === 'disconnect') return '<span class="close">⚡ connection cut (fault)</span>'
  if (step.kind === 'stall') return `<span class="close">⏸ ${esc(step.text ?? 'stalls')} (fault)</span>`
  return '<span class="close">✕ connection closed</span>'
}

function operationTable(operations: readonly OperationRecord[]): string {
  if (operations.length === 0) return ''
  const rows = operations
    .map(
      (op) =>
        `<tr><td>client ${op.client}</td><td>${esc(op.name)}(${esc(JSON.stringify(op.input) ?? '')})</td>` +
        `<td>${op.to < 0 ? 'no return' : esc(JSON.stringify(op.output) ?? 'undefined')}</td>` +
        `<td class="n">${op.from}</td><td class="n">${op.to < 0 ? '…' : op.to}</td></tr>`,
    )
    .join('\n')
  return `<h2>Your operations</h2>
<table><thead><tr><th>client</th><th>operation</th><th>result</th><th>from step</th><th>to step</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>Steps</h2>`
}

/** The HTML page: the failure and how to reproduce it, then a lane per connection and a row per step. */
export function renderUserReport(report: UserSimulationReport): string {
  const conns = Object.keys(report.connections)
    .map(Number)
    .sort((a, b) => a - b)
  const head = conns.map((c) => `<th>${esc(report.connections[c])}<br><small>connection ${c}</small></th>`).join('')
  const rows = report.trace
    .map((step) => {
      const left = `<td class="n">${step.step}</td><td class="n">${step.t} ms</td><td>${esc(step.phase)}</td>`
      if (step.kind === 'slice') {
        return `<tr class="timer">${left}<td colspan="${conns.length}">… a long script goes on past a slice boundary</td></tr>`
      }
      if (step.kind === 'timer') {
        return `<tr class="timer">${left}<td colspan="${conns.length}">⏱ virtual time moves to ${step.t} ms; due timers run</td></tr>`
      }
      const cells = conns.map((c) => (c === step.conn ? `<td>${cell(step)}</td>` : '<td></td>')).join('')
      const choice = step.choices > 1 ? ' class="choice"' : ''
      return `<tr${choice}>${left}${cells}</tr>`
    })
    .join('\n')
  const shrunk = report.shrunkFrom
    ? `<p>Shrunk from seed ${report.shrunkFrom.seed} with ${report.shrunkFrom.clients} clients, ${report.shrunkFrom.preemptions} preemptions, ${report.shrunkFrom.steps} steps.</p>`
    : ''
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(report.name)}: ${esc(report.kind)} (seed ${report.seed})</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em}code,td{font-family:ui-monospace,monospace;font-size:12px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:2px 6px;vertical-align:top;text-align:left}
th{background:#f4f4f4;position:sticky;top:0}.n{text-align:right;color:#888;white-space:nowrap}
.send{color:#0a5}.reply{color:#36c}.close{color:#c30}tr.timer td{background:#fff6e0;color:#850}
tr.choice td:first-child{border-left:3px solid #c30}.fail{color:#c00;font-weight:bold}
</style></head><body>
<h1>${esc(report.name)}: ${esc(report.kind)}</h1>
<p class="fail">${esc(report.message)}</p>
<p>Seed ${report.seed}, ${report.clients} clients (${esc(report.clientLibrary)}), ${report.steps} steps, ${report.preemptions} preemptions, trace hash <code>${esc(report.traceHash)}</code>.</p>
${shrunk}
${report.inputs === undefined ? '' : `<p>Inputs: <code>${esc(report.inputs)}</code></p>`}
<p>Reproduce: <code>${esc(report.replay)}</code></p>
<p>Each row is one scheduling step: a packet delivered (→ commands as the server received them, ← replies as the client received them) or virtual time moving. A red edge marks a step where the scheduler had a choice.</p>
${operationTable(report.operations ?? [])}
<table><thead><tr><th>step</th><th>time</th><th>phase</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`
}
