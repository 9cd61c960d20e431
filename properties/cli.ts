/**
 * `npm run test:properties -- [--scale X] [--seed N] [--report-dir DIR] [vitest options]`: the property suite with
 * its fixed budget, or a bigger one. --scale multiplies every property's number of runs (REDSIM_PROPERTY_SCALE),
 * --seed changes fast-check's seed (REDSIM_PROPERTY_SEED), --report-dir says where failures write race reports
 * (REDSIM_REPORT_DIR, default reports/). Everything else goes to vitest, e.g. `--shard 2/4` or `--reporter=json`.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const OWN: Record<string, string> = {
  '--scale': 'REDSIM_PROPERTY_SCALE',
  '--seed': 'REDSIM_PROPERTY_SEED',
  '--report-dir': 'REDSIM_REPORT_DIR',
}

const env = { ...process.env }
const rest: string[] = []
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split(/=(.*)/s, 2)
  const variable = OWN[flag]
  if (!variable) {
    rest.push(args[i])
    continue
  }
  const value = inline ?? args[++i]
  if (value === undefined || value === '' || !(flag === '--report-dir' || Number(value) > 0)) {
    process.stderr.write(
      `test:properties: ${flag} needs ${flag === '--report-dir' ? 'a directory' : 'a positive number'}\n`,
    )
    process.exit(2)
  }
  env[variable] = value
}

const root = fileURLToPath(new URL('..', import.meta.url))
const vitest = spawn(
  process.execPath,
  [`${root}node_modules/vitest/vitest.mjs`, 'run', '--config', `${root}properties/vitest.config.ts`, ...rest],
  { stdio: 'inherit', env, cwd: root },
)
vitest.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0)
})
