#!/usr/bin/env node
// The `redsim` command (see cli/redsim.ts). It runs the compiled CLI in a Node process whose heap limit is derived
// from the machine's memory (three quarters of it) instead of V8's default of a few GB, so that redsim's own limits on
// a request's or a script's memory answer with an error long before V8 would end the process. An explicit
// --max-old-space-size (on the command line or in NODE_OPTIONS) is left as it is.
import { spawn } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'

const hasHeapLimit =
  process.execArgv.some((a) => a.startsWith('--max-old-space-size')) ||
  /--max-old-space-size/.test(process.env.NODE_OPTIONS ?? '')

if (hasHeapLimit) {
  await import('../dist/cli/redsim.js')
} else {
  const heapMb = Math.max(1024, Math.floor((os.totalmem() / (1024 * 1024)) * 0.75))
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  )
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('error', (err) => {
    process.stderr.write(`redsim: ${err.message}\n`)
    process.exitCode = 1
  })
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal)
    else process.exitCode = code ?? 1
  })
}
