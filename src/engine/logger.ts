/** The server log. Lines look like redis-server's (`pid:M 25 Nov 2026 21:59:21.123 * message`). */
import type { Clock } from './clock.ts'

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning'
export type Logger = (level: LogLevel, message: string) => void

const MARKS: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' }
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const LEVELS: LogLevel[] = ['debug', 'verbose', 'notice', 'warning']

export function formatLogLine(clock: Clock, level: LogLevel, message: string): string {
  const d = new Date(clock.now())
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const stamp = `${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  return `${process.pid}:M ${stamp} ${MARKS[level]} ${message}`
}

/** Writes lines at or above `minLevel` (a level, or a function asked at each line, e.g. the `loglevel` config). */
export function stderrLogger(clock: Clock, minLevel: LogLevel | (() => LogLevel) = 'notice'): Logger {
  const current = typeof minLevel === 'function' ? minLevel : () => minLevel
  return (level, message) => {
    if (LEVELS.indexOf(level) >= LEVELS.indexOf(current())) {
      process.stderr.write(`${formatLogLine(clock, level, message)}\n`)
    }
  }
}

/** Keeps lines in memory (tests, the simulator). */
export function memoryLogger(): Logger & { lines: Array<{ level: LogLevel; message: string }> } {
  const lines: Array<{ level: LogLevel; message: string }> = []
  const logger = ((level: LogLevel, message: string) => {
    lines.push({ level, message })
  }) as Logger & { lines: typeof lines }
  logger.lines = lines
  return logger
}
