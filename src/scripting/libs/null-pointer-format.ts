/**
 * cjson.null is a NULL light userdata, which Redis's Lua prints as glibc prints a null pointer: tostring(cjson.null)
 * is "userdata: (nil)". fengari formats the '%p' of a null value as "null"; this wraps its formatter (as the host's
 * lua51/fengari-patches.ts does for numbers) so that a null pointer reads "(nil)". Idempotent, process-wide.
 */
import { to_luastring } from 'fengari'
import lobject from 'fengari/src/lobject.js'

const NIL_POINTER = to_luastring('(nil)')
const PERCENT = 37
const P = 112
const S = 115

let installed = false

export function installNullPointerFormat(): void {
  if (installed) return
  installed = true
  const previous = lobject.luaO_pushvfstring
  lobject.luaO_pushvfstring = (L, fmt, argp) => {
    if (fmt.indexOf(P) === -1) return previous(L, fmt, argp)
    let rewritten: Uint8Array | null = null
    let args = argp
    let arg = 0
    for (let i = 0; i < fmt.length - 1; i++) {
      if (fmt[i] !== PERCENT) continue
      const directive = fmt[++i]
      if (directive === PERCENT) continue
      if (directive === P && argp[arg] === null) {
        rewritten ??= fmt.slice()
        if (args === argp) args = argp.slice()
        rewritten[i] = S
        args[arg] = NIL_POINTER
      }
      arg++
    }
    return previous(L, rewritten ?? fmt, args)
  }
}
