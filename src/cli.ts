/**
 * `npm start -- --port 6390 [--bind 127.0.0.1] [--requirepass secret]`: runs the server in the foreground.
 */
import { parseArgs } from 'node:util'
import { createServer } from './server/tcp-server.ts'

const USAGE = `usage: npm start -- [--port N] [--bind ADDRESS] [--requirepass PASSWORD] [--loglevel LEVEL]
  --port         TCP port (default 6379; 0 picks a free one)
  --bind         address to listen on (default 127.0.0.1)
  --requirepass  require AUTH with this password
  --loglevel     debug | verbose | notice | warning (default notice)`

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '6379' },
        bind: { type: 'string', default: '127.0.0.1' },
        requirepass: { type: 'string' },
        loglevel: { type: 'string', default: 'notice' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }))
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port '${values.port}'\n${USAGE}\n`)
    return 2
  }
  const server = await createServer({
    port,
    host: values.bind as string,
    requirepass: values.requirepass as string | undefined,
    config: { loglevel: values.loglevel as string },
  })
  server.engine.log('notice', `redsim ready to accept connections tcp on ${server.host}:${server.port}`)
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    server.engine.log('notice', `Received ${signal}, shutting down`)
    await server.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  return -1
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err) => {
    process.stderr.write(`redsim: ${(err as Error)?.message ?? err}\n`)
    process.exit(1)
  },
)
