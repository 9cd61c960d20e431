/**
 * One engine's script cache (Redis's lua_scripts dict): the scripts EVAL and SCRIPT LOAD gave it, keyed by the SHA1 of
 * their text. The compiled functions live in the process's shared Lua runtime (compiled once per SHA whichever engine
 * loads it); SCRIPT FLUSH gives this cache's references back and starts an empty one.
 */
import { createHash } from 'node:crypto'
import { ReplyError } from '../protocol/reply.ts'
import { toLuaString } from './conversions.ts'
import type { LuaRuntime } from './lua-runtime.ts'
import type { RunnableScript } from './script-run.ts'
import { parseShebang, type ScriptFlags } from './shebang.ts'

export interface CachedScript extends RunnableScript {
  readonly kind: 'eval'
  /** Lower-case hex SHA1 of the body (also its name). */
  readonly sha: string
  readonly body: Buffer
  readonly flags: ScriptFlags
  /** Registry reference of the compiled function. */
  readonly ref: number
}

export function sha1hex(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex')
}

export class ScriptCache {
  private readonly scripts = new Map<string, CachedScript>()
  /** Body bytes (latin1) to SHA: EVAL of a cached script skips hashing its body again. */
  private readonly shaOfBody = new Map<string, string>()

  constructor(private readonly runtime: LuaRuntime) {}

  get size(): number {
    return this.scripts.size
  }

  /** Looks a script up by SHA, in any case. */
  get(sha: string): CachedScript | undefined {
    return this.scripts.get(sha) ?? (sha.length === 40 ? this.scripts.get(sha.toLowerCase()) : undefined)
  }

  /** The cached script with this body, or the result of compiling and caching it (a ReplyError if it fails). */
  load(body: Buffer): CachedScript | ReplyError {
    const text = body.length <= 4096 ? body.toString('latin1') : null
    const known = text === null ? undefined : this.shaOfBody.get(text)
    if (known) {
      const cached = this.scripts.get(known)
      if (cached) return cached
    }
    const sha = sha1hex(body)
    const existing = this.scripts.get(sha)
    if (existing) return existing
    const compiled = this.compile(sha, body)
    if (compiled instanceof ReplyError) return compiled
    this.scripts.set(sha, compiled)
    if (text !== null) this.shaOfBody.set(text, sha)
    return compiled
  }

  private compile(sha: string, body: Buffer): CachedScript | ReplyError {
    const shebang = parseShebang(body)
    if ('error' in shebang) return new ReplyError(shebang.error)
    // The shebang line is skipped but its newline kept, so line numbers match the text the user sent.
    const source = toLuaString(body.subarray(shebang.length))
    if (source[0] === 27) {
      // Bytecode is never loaded; the text lexer rejects the ESC that starts it, as in Redis.
      return compileError("user_script:1: unexpected symbol near 'char(27)'")
    }
    const ref = this.runtime.acquireFunction(sha, source)
    if (ref instanceof ReplyError) return ref
    return { sha, name: sha, kind: 'eval', body, flags: shebang.flags, ref }
  }

  /** SCRIPT FLUSH: every script is forgotten; this cache must not be used afterwards. */
  release(): void {
    for (const sha of this.scripts.keys()) this.runtime.releaseFunction(sha)
    this.scripts.clear()
    this.shaOfBody.clear()
  }
}

function compileError(message: string): ReplyError {
  return new ReplyError(`ERR Error compiling script (new function): ${message}`)
}
