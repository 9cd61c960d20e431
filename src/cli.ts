/**
 * `redsim server [config-file] [--name value ...]` (and `npm start -- ...`): runs the server in the foreground. Every
 * CONFIG parameter can be given on the command line as redis-server takes it (`--port 6390 --requirepass s3cret`).
 */
import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigRegistry } from './engine/config.ts'
import { Engine } from './engine/engine.ts'
import { FileSnapshotStore } from './persistence/file-store.ts'
import { RdbError } from './persistence/rdb-format.ts'
import { parseServerArgs, ServerArgsError, type ServerArgs } from './server-args.ts'
import { createServer } from './server/tcp-server.ts'
import { REDIS_VERSION } from './commands/version.ts'

const USAGE = `usage: redsim server [/path/to/redis.conf] [--name value ...]   (or: npm start -- ...)
  Any CONFIG parameter works as --name value, as with redis-server, for example:
  --port         TCP port (default 6379; 0 picks a free one)
  --bind         address to listen on (default 127.0.0.1)
  --requirepass  require AUTH with this password
  --maxclients   connections served at once (default 10000)
  --loglevel     debug | verbose | notice | warning (default notice)
  --help, --version`

/**
 * Runs the server command line. Returns an exit status for the process, or -1 once the server is serving (it then
 * runs until SIGINT/SIGTERM or SHUTDOWN).
 */
export async function serverMain(argv: readonly string[]): Promise<number> {
  let args: ServerArgs
  try {
    args = parseServerArgs(argv, (path) => readFileSync(path, 'utf8'))
  } catch (err) {
    if (!(err instanceof ServerArgsError) && (err as NodeJS.ErrnoException).code === undefined) throw err
    process.stderr.write(`*** FATAL CONFIG ERROR ***\n${(err as Error).message}\n${USAGE}\n`)
    return 1
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (args.version) {
    process.stdout.write(`redsim (Redis ${REDIS_VERSION} compatible)\n`)
    return 0
  }
  // Validated once up front, with Redis's messages, so a bad value stops startup with a clear line.
  const probe = new ConfigRegistry()
  for (const [name, value] of args.config) {
    const error = probe.set(name, Buffer.from(value, 'utf8').toString('latin1'))
    if (error) {
      process.stderr.write(`*** FATAL CONFIG ERROR ***\n>>> '${name} ${value}'\n${error.message}\n`)
      return 1
    }
  }
  const config = Object.fromEntries(args.config)
  // dir as redis-server reports it: an absolute path, the working directory unless given.
  config.dir = resolve(config.dir ?? '.')
  if (!isDirectory(config.dir)) {
    process.stderr.write(`Can't chdir to '${config.dir}': No such file or directory\n`)
    return 1
  }
  // Redis's bind takes several addresses (a leading '-' marks an optional one); redsim listens on the first.
  const host = probe.get('bind').split(' ')[0].replace(/^-/, '') || '127.0.0.1'
  const engine: Engine = new Engine({
    config,
    snapshotStore: new FileSnapshotStore(() => ({
      dir: engine.config.get('dir'),
      dbfilename: engine.config.get('dbfilename'),
    })),
  })
  // The snapshot is loaded before the port opens: a file that cannot be read stops startup, with no half dataset.
  const started = process.hrtime.bigint()
  try {
    if (engine.snapshots.loadFromStore()) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      engine.log('notice', `DB loaded from disk: ${seconds.toFixed(3)} seconds`)
    }
  } catch (err) {
    if (!(err instanceof RdbError) && (err as NodeJS.ErrnoException).code === undefined) throw err
    if (!(err instanceof RdbError))
      engine.log('warning', `Fatal error loading the DB: ${(err as Error).message}. Exiting.`)
    return 1
  }
  const server = await createServer({ engine, port: probe.getNumber('port'), host })
  server.engine.log('notice', `redsim ready to accept connections tcp on ${server.host}:${server.port}`)
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    server.engine.log('notice', `Received ${signal}, shutting down`)
    // As redis-server on SIGTERM and SIGINT: the final save when save points are configured.
    if (!saveForSignal(server.engine)) {
      stopping = false
      return
    }
    await server.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  return -1
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** The final save on a signal, under a lease of its own when the lock is free (it is, unless a script is busy). */
function saveForSignal(engine: Engine): boolean {
  try {
    return engine.direct(() => engine.snapshots.saveBeforeShutdown(false, false, false))
  } catch {
    return engine.snapshots.saveBeforeShutdown(false, false, false)
  }
}

/** Ends with `main`'s status (once output is flushed), or keeps running while the server serves. */
export function exitWhenDone(main: Promise<number>): void {
  main.then(
    (code) => {
      if (code >= 0) process.exitCode = code
    },
    (err) => {
      process.stderr.write(`redsim: ${(err as Error)?.message ?? err}\n`)
      process.exit(1)
    },
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  exitWhenDone(serverMain(process.argv.slice(2)))
}
