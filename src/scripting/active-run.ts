/**
 * The script run whose Lua code executes right now, if any. The shared Lua runtime sets it around each stretch of a
 * script (lua-runtime.ts `enter`/`leave`); the count hook, the memory check and the libraries that keep per-engine
 * settings (cjson) read it to find their run and its host. It is a module of its own, importing nothing at run time,
 * so that those readers need not import the runtime that installs them (which would be an import cycle).
 */
import type { ScriptRun } from './script-run.ts'

let current: ScriptRun | null = null

export function activeRun(): ScriptRun | null {
  return current
}

export function setActiveRun(run: ScriptRun | null): void {
  current = run
}
