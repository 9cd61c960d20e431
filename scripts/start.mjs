#!/usr/bin/env node
// `npm start`: runs the server from the sources (tsx src/cli.ts) in a Node process whose heap limit is derived from the
// machine's memory, by the same rule as the installed `redsim` command (bin/redsim.js: three quarters of it, at least
// 1 GB), instead of V8's default of about 4 GB. redsim's guards on a request's and a script's memory
// (src/engine/heap-headroom.ts) read the limit in force, so they follow either way; a larger heap only lets larger
// requests and scripts complete. An explicit --max-old-space-size in NODE_OPTIONS is left as it is.
import { spawn } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const hasHeapLimit = /--max-old-space-size/.test(process.env.NODE_OPTIONS ?? '')
const heapMb = Math.max(1024, Math.floor((os.totalmem() / (1024 * 1024)) * 0.75))
const nodeArgs = hasHeapLimit ? [] : [`--max-old-space-size=${heapMb}`]
const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
child.on('error', (err) => {
  process.stderr.write(`npm start: ${err.message}\n`)
  process.exitCode = 1
})
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal)
  else process.exitCode = code ?? 1
})
