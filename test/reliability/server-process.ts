/**
 * redsim's own command line (`src/cli.ts`) as a child process, so that a test can see the process survive (or die
 * from) what a hostile client does: an unhandled error in the server ends that process, not the test runner.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface ServerProcess {
  readonly port: number
  readonly child: ChildProcess
  /** Everything the process wrote to stderr so far. */
  stderr(): string
  /** Whether the process is still running. */
  alive(): boolean
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited(): Promise<number | string>
  stop(): Promise<void>
}

export interface ServerProcessOptions {
  /** The process's heap limit in MB (--max-old-space-size), for tests that exhaust it on purpose; else Node's default. */
  heapMb?: number
}

/**
 * Starts `tsx src/cli.ts --port 0 --dir <a new temporary directory> <args>` and waits for its "ready to accept
 * connections" line. The directory keeps the process from loading or writing a dump.rdb in the checkout; `args` may
 * name another with their own --dir.
 */
export async function startServerProcess(args: string[], options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const nodeArgs = options.heapMb === undefined ? [] : [`--max-old-space-size=${options.heapMb}`]
  const dir = mkdtempSync(join(tmpdir(), 'redsim-server-'))
  const cli = ['--import', 'tsx', 'src/cli.ts', '--port', '0', '--dir', dir, ...args]
  const child = spawn(process.execPath, [...nodeArgs, ...cli], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let exit: number | string | null = null
  const exitWaiters: Array<(code: number | string) => void> = []
  child.stdout?.resume()
  child.on('exit', (code, signal) => {
    exit = code ?? signal ?? 'unknown'
    for (const w of exitWaiters.splice(0)) w(exit)
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString()
      const m = /ready to accept connections tcp on [^\s]+:(\d+)/.exec(stderr)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', () => reject(new Error(`redsim exited before it was ready:\n${stderr}`)))
  })
  const exited = () =>
    exit !== null ? Promise.resolve(exit) : new Promise<number | string>((resolve) => exitWaiters.push(resolve))
  return {
    port,
    child,
    stderr: () => stderr,
    alive: () => exit === null,
    exited,
    async stop() {
      if (exit !== null) return
      child.kill('SIGKILL')
      await exited()
    },
  }
}
