/**
 * The violation-kind table of docs/simulator.md, rendered from the registry: the docs say what the checkers declare,
 * and test/sim/violation-kinds.test.ts fails when they drift apart (`npm run docs:checkers` rewrites the table).
 */
import type { RegisteredKind } from './registry.ts'

export const TABLE_BEGIN =
  '<!-- violation-kinds:begin (generated from sim/checkers/registry.ts: npm run docs:checkers) -->'
export const TABLE_END = '<!-- violation-kinds:end -->'

/** A Markdown table, columns padded to their widest cell (as the other tables of the docs). */
function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

export function renderKindTable(kinds: Iterable<RegisteredKind>): string {
  const rows = [...kinds].map((k) => [
    `\`${k.kind}\``,
    k.property ?? '—',
    k.sources.join(', '),
    k.catches ? 'yes' : 'no',
    k.description.replaceAll('|', '\\|'),
  ])
  return markdownTable(['kind', 'property', 'reported by', 'catches a mutant', 'meaning'], rows)
}

/** `doc` with the text between the table's markers replaced by `table`; throws when the markers are missing. */
export function withKindTable(doc: string, table: string): string {
  const begin = doc.indexOf(TABLE_BEGIN)
  const end = doc.indexOf(TABLE_END)
  if (begin < 0 || end < begin) throw new Error(`the violation-kind table's markers are missing: ${TABLE_BEGIN}`)
  return `${doc.slice(0, begin + TABLE_BEGIN.length)}\n${table}\n${doc.slice(end)}`
}
