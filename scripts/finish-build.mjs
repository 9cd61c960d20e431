// The second half of `npm run build` (after tsc -p tsconfig.build.json): puts next to the compiled code what the
// compiler does not emit. The simulator's workloads and fixture scripts are read at run time relative to the code
// (sim/workloads.ts, sim/model/scripts.ts), so they go to dist/fixtures; fengari has no type declarations of its
// own, so redsim's go with the build and are referenced from the entry point's; the simulator's worker threads get
// an entry that loads the compiled worker directly (the source one registers tsx first).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = `${root}dist`

rmSync(`${dist}/fixtures`, { recursive: true, force: true })
mkdirSync(`${dist}/fixtures`, { recursive: true })
cpSync(`${root}fixtures/scripts`, `${dist}/fixtures/scripts`, { recursive: true })
cpSync(`${root}fixtures/workloads`, `${dist}/fixtures/workloads`, { recursive: true })

cpSync(`${root}src/scripting/fengari.d.ts`, `${dist}/src/scripting/fengari.d.ts`)
for (const entry of ['src/index.d.ts', 'sim/index.d.ts']) {
  const file = `${dist}/${entry}`
  const reference = entry.startsWith('src/')
    ? '/// <reference path="./scripting/fengari.d.ts" />\n'
    : '/// <reference path="../src/scripting/fengari.d.ts" />\n'
  const text = readFileSync(file, 'utf8')
  if (!text.startsWith(reference)) writeFileSync(file, reference + text)
}

writeFileSync(
  `${dist}/sim/worker-entry.mjs`,
  "// Entry point of a simulator worker thread in the build: the worker side of workers.js.\nawait import('./workers.js')\n",
)
