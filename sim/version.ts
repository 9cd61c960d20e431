/** redsim's version (package.json) and git commit, for race reports. Read once, outside any simulated run. */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The package root: one level up from the sources, two from the build (dist/sim). */
const ROOT =
  [fileURLToPath(new URL('..', import.meta.url)), fileURLToPath(new URL('../..', import.meta.url))].find((dir) =>
    existsSync(`${dir}/package.json`),
  ) ?? fileURLToPath(new URL('..', import.meta.url))

let cached: { version: string; commit: string } | null = null

export function redsimVersion(): { version: string; commit: string } {
  if (cached) return cached
  let version = 'unknown'
  let commit = 'unknown'
  try {
    version = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version
  } catch {
    // keep 'unknown': a report is still useful without it
  }
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    if (dirty.trim() !== '') commit += '+dirty'
  } catch {
    // not a git checkout (e.g. an npm tarball)
  }
  cached = { version, commit }
  return cached
}
