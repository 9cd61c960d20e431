/**
 * Redis 7.0.15's own Tcl test suite (`runtest` and `tests/`), as Debian ships it in the redis source package: found in
 * the cache directory, or fetched there with apt (deb-src enabled for the Debian archive, `apt-get source
 * --download-only redis`, the orig tarball unpacked) so a fresh CI machine can run it. tclsh comes from the `tcl`
 * package. Then the copy is patched (see `patchSuite`), once.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const SUITE_VERSION = '7.0.15'
const DEBIAN_SOURCES = '/etc/apt/sources.list.d/debian.sources'
const PATCH_MARKER = '.redsim-patched'

/** The unit that runs the scripting tests through EVAL only (the original runs them through FCALL too). */
export const EVAL_ONLY_SCRIPTING_UNIT = 'unit/scripting-eval-only'

function log(line: string): void {
  process.stderr.write(`redis-suite: ${line}\n`)
}

function asRoot(command: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0
  const [cmd, argv] = isRoot ? [command, args] : ['sudo', [command, ...args]]
  log(`${cmd} ${argv.join(' ')}`)
  execFileSync(cmd, argv, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
}

function hasTclsh(): boolean {
  return ['tclsh8.6', 'tclsh8.7', 'tclsh8.5'].some((tcl) => spawnSync('which', [tcl]).status === 0)
}

/** Adds `deb-src` to the Debian archive's `Types:` lines (deb822 format) when it is not there yet. */
function enableDebSrc(): boolean {
  if (!existsSync(DEBIAN_SOURCES)) return false
  const text = readFileSync(DEBIAN_SOURCES, 'utf8')
  if (/^Types:.*\bdeb-src\b/m.test(text)) return false
  const patched = text.replace(/^Types: deb$/gm, 'Types: deb deb-src')
  const tmp = join(mkdtempSync(join(tmpdir(), 'redsim-sources-')), 'debian.sources')
  writeFileSync(tmp, patched)
  asRoot('cp', [tmp, DEBIAN_SOURCES])
  return true
}

function fetchSuite(cacheDir: string): void {
  if (enableDebSrc()) asRoot('apt-get', ['update'])
  const download = mkdtempSync(join(tmpdir(), 'redsim-redis-source-'))
  try {
    log(`apt-get source --download-only redis (in ${download})`)
    const source = () =>
      spawnSync('apt-get', ['source', '--download-only', 'redis'], {
        cwd: download,
        stdio: ['ignore', 'inherit', 'inherit'],
      })
    // deb-src may be enabled while its index was never fetched: update once and try again.
    if (source().status !== 0) {
      asRoot('apt-get', ['update'])
      if (source().status !== 0) throw new Error('apt-get source --download-only redis failed')
    }
    const orig = readdirSync(download).find((f) => /^redis_.*\.orig\.tar\.gz$/.test(f))
    if (!orig) throw new Error(`apt-get source left no orig tarball in ${download}`)
    if (!orig.includes(SUITE_VERSION))
      log(`warning: the source package is ${orig}, the floors were set with ${SUITE_VERSION}`)
    mkdirSync(cacheDir, { recursive: true })
    execFileSync('tar', ['xzf', join(download, orig), '-C', cacheDir, '--strip-components=1'], { stdio: 'inherit' })
  } finally {
    rmSync(download, { recursive: true, force: true })
  }
}

/**
 * The changes redsim's copy of the suite carries, each needed to run it against a server without Functions yet:
 * - the harness's `r function flush` before each unit (external mode) tolerates exactly "unknown command", which a
 *   server without FUNCTION answers; any other error still stops the unit, and once FUNCTION exists the call runs;
 * - `unit/scripting-eval-only`: scripting.tcl with its outer loop over FCALL and EVAL narrowed to EVAL.
 */
function patchSuite(dir: string): void {
  const serverTcl = join(dir, 'tests/support/server.tcl')
  const original = readFileSync(serverTcl, 'utf8')
  const flush = '    r flushall\n    r function flush\n'
  if (!original.includes(flush)) throw new Error(`${serverTcl}: the FUNCTION FLUSH call to patch is not where expected`)
  writeFileSync(
    serverTcl,
    original.replace(
      flush,
      '    r flushall\n' +
        '    # redsim: tolerate a server without FUNCTION (only "unknown command"; any other error still fails).\n' +
        '    if {[catch {r function flush} err] && ![string match "*unknown command*" $err]} { error $err }\n',
    ),
  )
  const scripting = readFileSync(join(dir, 'tests/unit/scripting.tcl'), 'utf8')
  const loop = 'foreach is_eval {0 1} {\n'
  if (!scripting.startsWith(loop)) throw new Error('scripting.tcl: the first line is not the loop over FCALL and EVAL')
  writeFileSync(
    join(dir, `tests/${EVAL_ONLY_SCRIPTING_UNIT}.tcl`),
    `foreach is_eval {1} {\n${scripting.slice(loop.length)}`,
  )
  writeFileSync(join(dir, PATCH_MARKER), 'patched by test/redis-suite/suite-source.ts\n')
}

/** The suite's root directory (where `runtest` is), fetched, unpacked and patched if it was not there. */
export function ensureSuite(cacheDir: string): string {
  if (!existsSync(join(cacheDir, 'runtest'))) {
    rmSync(cacheDir, { recursive: true, force: true })
    fetchSuite(cacheDir)
  }
  if (!existsSync(join(cacheDir, PATCH_MARKER))) patchSuite(cacheDir)
  if (!hasTclsh()) asRoot('apt-get', ['install', '-y', 'tcl'])
  mkdirSync(join(cacheDir, 'tests/tmp'), { recursive: true })
  return cacheDir
}
