/**
 * The `redsim` command, one entry for everything a user runs:
 *   redsim server [config-file] [--name value ...]   the Redis-compatible server (the default subcommand)
 *   redsim sim [options]                              the deterministic simulator (`redsim sim --help`)
 *   redsim replay FILE [options]                      re-run a race report exactly (`redsim sim --replay FILE`)
 *   redsim --version | --help
 * `npm start` and `npm run sim` run the same code from the sources.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { exitWhenDone, serverMain } from '../src/cli.ts'
import { main as simMain } from '../sim/cli.ts'

const HELP = `usage: redsim <command> [options]
  server [config-file] [--name value ...]   run the server (default; any CONFIG parameter as --name value)
  sim [options]                              run the simulator (redsim sim --help)
  replay FILE [options]                      replay a race report (redsim sim --replay FILE)
  --version                                  print the version
  --help                                     this text`

/** The package's version, from the package.json beside the sources or the build. */
function version(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(fileURLToPath(new URL(up, import.meta.url)), 'utf8')).version
    } catch {
      // not at this level
    }
  }
  return 'unknown'
}

export async function redsim(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${HELP}\n`)
      return 0
    case '--version':
    case '-v':
      process.stdout.write(`redsim ${version()} (Redis 7.0 compatible)\n`)
      return 0
    case 'sim':
      return simMain([...rest])
    case 'replay':
      if (rest.length === 0 || rest[0].startsWith('-')) {
        process.stderr.write(`redsim replay needs a report file\n${HELP}\n`)
        return 2
      }
      return simMain(['--replay', ...rest])
    case 'server':
      return serverMain(rest)
    default:
      // No subcommand: server options (or a config file) straight away, as redis-server takes them.
      return serverMain(argv)
  }
}

exitWhenDone(redsim(process.argv.slice(2)))
