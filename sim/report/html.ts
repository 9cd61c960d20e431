/**
 * Race reports, HTML side: one self-contained page (no scripts, no external assets) with the replay command at the
 * top, the violation, and a timeline: one lane per client, each operation a bar from invoke to return (dashed when
 * the outcome is unknown), script and EXEC steps as ticks inside the bars, lock waits and disconnects as marks, and
 * the offending accesses and operations in red. Below it, the interleaving itself from the execution log.
 */
import { nameScripts } from './headline.ts'
import type { Access, HistoryOperation } from '../recorder.ts'
import type { RaceReport } from './json.ts'

function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function describe(op: HistoryOperation): string {
  const input = op.input
  if ('clock' in input) return `clock → ${input.clock} ms`
  if ('argv' in input) return input.argv.join(' ')
  if ('script' in input) return `script ${input.script} keys=[${input.keys.join(' ')}] args=[${input.args.join(' ')}]`
  return `${input.watch ? `WATCH ${input.watch.join(' ')} … ` : ''}MULTI ${input.multi.map((c) => c.join(' ')).join('; ')} EXEC`
}

function replyText(reply: unknown): string {
  return JSON.stringify(reply) ?? 'unknown'
}

const LANE = 46
const LEFT = 110
const PX = 7

export function renderHtmlReport(report: RaceReport): string {
  const history = report.history
  const clients = [
    ...new Set([...history.map((op) => op.client), ...report.trace.filter((e) => e.actor > 0).map((e) => e.actor)]),
  ].sort((a, b) => a - b)
  const laneOf = new Map<number, number>()
  for (const [i, c] of clients.entries()) laneOf.set(c, i + 1)
  laneOf.set(0, 0)
  let maxT = 1
  for (const op of history) maxT = Math.max(maxT, op.invoke, op.return ?? 0)
  for (const e of report.trace) maxT = Math.max(maxT, e.t)
  for (const a of report.log) maxT = Math.max(maxT, a.t)
  const width = LEFT + (maxT + 4) * PX
  const height = (clients.length + 1) * LANE + 30
  const x = (t: number) => LEFT + t * PX
  const y = (client: number) => (laneOf.get(client) ?? 0) * LANE + 20
  const involved = new Set(report.violation.operations)
  const badAccesses = new Set(report.violation.accesses)
  const svg: string[] = []
  svg.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">`,
  )
  // Lanes.
  svg.push(`<text x="4" y="${y(0) + 18}">timer</text>`)
  for (const c of clients) {
    svg.push(`<line x1="${LEFT}" x2="${width}" y1="${y(c) + 15}" y2="${y(c) + 15}" stroke="#ddd"/>`)
    svg.push(`<text x="4" y="${y(c) + 18}">client #${c}</text>`)
  }
  for (let t = 0; t <= maxT; t += 10) {
    svg.push(`<line x1="${x(t)}" x2="${x(t)}" y1="10" y2="${height}" stroke="#f2f2f2"/>`)
    if (t % 50 === 0) svg.push(`<text x="${x(t)}" y="10" fill="#999">${t}</text>`)
  }
  // Operations.
  for (const op of history) {
    const end = op.return ?? maxT + 3
    const kind =
      'script' in op.input ? 'script' : 'multi' in op.input ? 'multi' : 'clock' in op.input ? 'clock' : 'command'
    const fill = { script: '#cdeccd', multi: '#e3d7f5', command: '#d6e6f7', clock: '#bbb' }[kind]
    const stroke = involved.has(op.id) ? '#d00' : '#777'
    const dash = op.return === null ? ' stroke-dasharray="4 3"' : ''
    const w = Math.max(PX / 2, (end - op.invoke) * PX)
    svg.push(
      `<rect x="${x(op.invoke)}" y="${y(op.client) + 4}" width="${w}" height="22" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="${involved.has(op.id) ? 2.5 : 1}"${dash}>` +
        `<title>#${op.id} ${esc(describe(op))}\n→ ${esc(op.return === null ? 'unknown outcome (disconnected)' : replyText(op.output))}\nt ${op.invoke}–${op.return ?? '?'}</title></rect>`,
    )
    if (w > 40) {
      const label = describe(op)
      svg.push(
        `<text x="${x(op.invoke) + 3}" y="${y(op.client) + 19}" fill="#333">${esc(label.slice(0, Math.floor(w / 7)))}</text>`,
      )
    }
  }
  // Scheduler marks: script calls and EXEC steps as ticks, lock waits, faults, timer events.
  for (const e of report.trace) {
    const top = y(e.actor)
    const title = `<title>step ${e.step}: ${esc(e.site)}${e.detail ? ` ${esc(e.detail)}` : ''} (${e.choices} choices)</title>`
    if (e.site === 'script-call' || e.site === 'exec-step') {
      const color = e.site === 'script-call' ? '#1a7f1a' : '#6a3fb5'
      svg.push(
        `<line x1="${x(e.t)}" x2="${x(e.t)}" y1="${top + 2}" y2="${top + 28}" stroke="${color}" stroke-width="2">${title}</line>`,
      )
    } else if (e.site === 'lock-wait') {
      svg.push(`<circle cx="${x(e.t)}" cy="${top + 32}" r="3" fill="#e69500">${title}</circle>`)
    } else if (e.site === 'fault') {
      svg.push(`<text x="${x(e.t) - 4}" y="${top + 40}" fill="#d00" font-size="14" font-weight="bold">✕${title}</text>`)
    } else if (e.site === 'timer') {
      svg.push(`<circle cx="${x(e.t)}" cy="${top + 15}" r="3" fill="#888">${title}</circle>`)
    }
  }
  // The offending accesses.
  for (const a of report.log) {
    if (!badAccesses.has(a.seq)) continue
    const cx = x(a.t)
    const cy = y(a.client) + 15
    svg.push(
      `<path d="M${cx} ${cy - 7} L${cx + 7} ${cy} L${cx} ${cy + 7} L${cx - 7} ${cy} Z" fill="#d00">` +
        `<title>${esc(`${a.kind} ${a.key} by ${a.command.toUpperCase()} of client #${a.client}`)}</title></path>`,
    )
  }
  svg.push('</svg>')

  const rows = interleavingRows(report)
  const v = report.violation
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>redsim race report: seed ${report.seed} ${esc(report.kind)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
pre,code{background:#f4f4f4;padding:.2em .4em;border-radius:3px}
pre{padding:.6em}
.violation{border-left:4px solid #d00;padding:.4em .8em;background:#fff3f3}
.timeline{overflow-x:auto;border:1px solid #ddd;padding:4px}
table{border-collapse:collapse;font-family:monospace;font-size:12px}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
tr.bad td{background:#ffd9d9}
tr.own td{background:#eef7ee}
.legend span{margin-right:1.2em}
</style></head><body>
<h1>Seed ${report.seed}: ${esc(report.kind)}</h1>
<p>Reproduce exactly (same trace hash <code>${esc(report.traceHash.slice(0, 16))}…</code>):</p>
<pre>${esc(report.replay)}</pre>
<div class="violation"><strong>${esc(v.kind)}</strong>: ${esc(v.message)}</div>
<p>redsim ${esc(report.redsim.version)} (${esc(report.redsim.commit)}) · strategy ${esc(report.strategy)} · executor ${esc(report.mutant)} ·
workload ${esc(report.scenario.workload)} · ${report.summary.clients} clients · ${report.summary.operations} operations ·
${report.summary.steps} scheduling steps (${report.summary.choices} with a choice) · outcome ${esc(report.outcome.kind)}</p>
<h2>Timeline</h2>
<p class="legend"><span>▭ operation, invoke → return (dashed: outcome unknown)</span><span style="color:#1a7f1a">| redis.call</span>
<span style="color:#6a3fb5">| EXEC step</span><span style="color:#e69500">● lock wait</span><span style="color:#d00">◆ offending access, red outline: operations involved, ✕ disconnect</span></p>
<div class="timeline">${svg.join('\n')}</div>
${rows.length > 0 ? `<h2>The interleaving (execution log)</h2><table><tr><th>#</th><th>t</th><th>client</th><th>command</th><th>script</th><th>access</th><th>key</th></tr>${rows.join('')}</table>` : ''}
<h2>Operations involved</h2>
<table><tr><th>op</th><th>client</th><th>invoke</th><th>return</th><th>operation</th><th>reply</th></tr>
${report.involved.map((op) => `<tr><td>${op.id}</td><td>#${op.client}</td><td>${op.invoke}</td><td>${op.return ?? 'unknown'}</td><td>${esc(describe(op))}</td><td>${esc(op.return === null ? '?' : replyText(op.output))}</td></tr>`).join('')}
</table>
<h2>All violations</h2>
<ul>${report.violations.map((w) => `<li><strong>${esc(w.kind)}</strong>: ${esc(w.message)}</li>`).join('')}</ul>
</body></html>
`
}

/** The log entries from the first to the last access of the violated span, with the intruders marked. */
function interleavingRows(report: RaceReport): string[] {
  const bad = report.violation.accesses
  if (bad.length === 0) return []
  const log = report.log
  const first = log[bad[0]]
  const spanIds = new Set(bad.map((i) => log[i].span))
  // The atomic span that was broken: the one around the first intruder.
  let victim = -1
  for (let i = first.seq - 1; i >= 0; i--) {
    if (!spanIds.has(log[i].span)) {
      victim = log[i].span
      break
    }
  }
  let from = first.seq
  let to = first.seq
  for (const a of log) {
    if (a.span === victim) {
      from = Math.min(from, a.seq)
      to = Math.max(to, a.seq)
    }
  }
  const rows: string[] = []
  for (let i = Math.max(0, from - 2); i <= Math.min(log.length - 1, to + 2); i++) {
    const a: Access = log[i]
    const cls = bad.includes(a.seq) ? 'bad' : a.span === victim ? 'own' : ''
    rows.push(
      `<tr class="${cls}"><td>${a.seq}</td><td>${a.t}</td><td>${a.client === 0 ? 'timer' : `#${a.client}`}</td><td>${esc(a.command)}</td><td>${esc(a.script ? nameScripts(`script ${a.script.slice(0, 12)}`, report.scenario.scripts).slice(7) : '')}</td><td>${a.kind}</td><td>${esc(a.key)}</td></tr>`,
    )
  }
  return rows
}
