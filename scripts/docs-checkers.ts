/** Rewrites the violation-kind table of docs/simulator.md from the checkers' registry (sim/checkers/registry.ts). */
import { readFileSync, writeFileSync } from 'node:fs'
import { renderKindTable, withKindTable } from '../sim/checkers/kind-table.ts'
import { VIOLATION_KINDS } from '../sim/checkers/registry.ts'

const path = new URL('../docs/simulator.md', import.meta.url)
const before = readFileSync(path, 'utf8')
const after = withKindTable(before, renderKindTable(VIOLATION_KINDS.values()))
if (after !== before) writeFileSync(path, after)
console.log(
  after === before
    ? 'docs/simulator.md: violation-kind table already current'
    : 'docs/simulator.md: violation-kind table rewritten',
)
