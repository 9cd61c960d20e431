/**
 * One engine's function libraries (Redis 7.0's functionsLibCtx): the libraries by name, and every library's functions
 * by name for FCALL. Library names are matched exactly; function names without regard to case, as Redis's dicts do.
 * SCRIPT FLUSH does not touch it; FUNCTION FLUSH empties it.
 */
import type { Engine } from '../../engine/engine.ts'
import { type LoadedFunction, loadLibraryCode } from './function-loader.ts'
import { luaRuntime } from '../lua-runtime.ts'
import { type LibraryMetadata, isValidName, NAME_RULE_ERROR, parseLibraryMetadata } from './library-metadata.ts'
import type { RunnableScript } from '../script-run.ts'

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const
/** functionLibInfo, its functions dict and its dict entry; functionInfo, its engine context and dict entry (bytes). */
const LIBRARY_OVERHEAD = 48 + 96 + 24
const FUNCTION_OVERHEAD = 48 + 16 + 24

export interface FunctionLibrary {
  readonly name: string
  /** The whole code FUNCTION LOAD was given, metadata line included (FUNCTION LIST WITHCODE, FUNCTION DUMP). */
  readonly code: Buffer
  readonly functions: ReadonlyMap<string, RegisteredFunction>
}

export interface RegisteredFunction extends RunnableScript, LoadedFunction {
  readonly kind: 'function'
  readonly library: FunctionLibrary
}

/** A set of libraries being built (FUNCTION RESTORE reads its payload into one before joining it). */
export class LibrarySet {
  readonly libraries = new Map<string, FunctionLibrary>()
  /** By lower-case name. */
  readonly functions = new Map<string, RegisteredFunction>()

  get functionCount(): number {
    return this.functions.size
  }

  /**
   * What Redis's functionsMemoryOverhead adds for these libraries, estimated: each library's and function's struct,
   * name, code and description with a dict entry apiece (Redis sums their allocation sizes, which redsim does not
   * have). INFO's used_memory_functions.
   */
  memoryEstimate(): number {
    let bytes = 0
    for (const library of this.libraries.values()) {
      bytes += LIBRARY_OVERHEAD + library.name.length + library.code.length
      for (const fn of library.functions.values()) {
        bytes += FUNCTION_OVERHEAD + fn.name.length + (fn.description?.length ?? 0)
      }
    }
    return bytes
  }

  link(library: FunctionLibrary): void {
    this.libraries.set(library.name, library)
    for (const fn of library.functions.values()) {
      const key = fn.name.toLowerCase()
      // Two names differing only in case within one library: Redis's dictAdd keeps the first.
      if (!this.functions.has(key)) this.functions.set(key, fn)
    }
  }

  unlink(library: FunctionLibrary): void {
    this.libraries.delete(library.name)
    for (const fn of library.functions.values()) {
      const key = fn.name.toLowerCase()
      if (this.functions.get(key) === fn) this.functions.delete(key)
    }
  }

  clear(): void {
    this.libraries.clear()
    this.functions.clear()
  }

  /**
   * functionsCreateWithLibraryCtx: compiles `code` and links its library; returns the library's name, or Redis's
   * error text (without the ERR prefix). Nothing changes on error, REPLACE included.
   */
  create(engine: Engine, code: Buffer, replace: boolean): string | { error: string } {
    const metadata = parseLibraryMetadata(code)
    if ('error' in metadata) return metadata
    if (!isValidName(metadata.name)) return { error: NAME_RULE_ERROR }
    if (metadata.engine.toLowerCase() !== 'lua') return { error: `Engine '${metadata.engine}' not found` }
    const old = this.libraries.get(metadata.name)
    if (old && !replace) return { error: `Library '${metadata.name}' already exists` }
    if (old) this.unlink(old)
    const library = compileLibrary(engine, metadata, code)
    if ('error' in library) {
      if (old) this.link(old)
      return library
    }
    for (const fn of library.functions.values()) {
      if (this.functions.has(fn.name.toLowerCase())) {
        if (old) this.link(old)
        return { error: `Function ${fn.name} already exists` }
      }
    }
    this.link(library)
    return library.name
  }

  /**
   * libraryJoin: links every library of `source` into this set; with `replace` a library of the same name is
   * replaced, else it is an error. All or nothing.
   */
  join(source: LibrarySet, replace: boolean): { error: string } | null {
    const replaced: FunctionLibrary[] = []
    const restore = () => {
      for (const library of replaced) this.link(library)
    }
    for (const library of source.libraries.values()) {
      const old = this.libraries.get(library.name)
      if (!old) continue
      if (!replace) {
        restore()
        return { error: `Library ${library.name} already exists` }
      }
      this.unlink(old)
      replaced.push(old)
    }
    for (const fn of source.functions.values()) {
      if (this.functions.has(fn.name.toLowerCase())) {
        restore()
        return { error: `Function ${fn.name} already exists` }
      }
    }
    for (const library of source.libraries.values()) this.link(library)
    return null
  }
}

function compileLibrary(engine: Engine, metadata: LibraryMetadata, code: Buffer): FunctionLibrary | { error: string } {
  const loaded = loadLibraryCode(luaRuntime(), metadata.body, {
    now: () => engine.clock.now(),
    log: (level, text) => engine.logAt(LOG_LEVELS[level] ?? 'notice', text),
  })
  if ('error' in loaded) return loaded as { error: string }
  if (loaded.size === 0) return { error: 'No functions registered' }
  const functions = new Map<string, RegisteredFunction>()
  const library: FunctionLibrary = { name: metadata.name, code, functions }
  for (const fn of loaded.values()) functions.set(fn.name, { ...fn, kind: 'function', library })
  return library
}

const registries = new WeakMap<Engine, LibrarySet>()

/** The engine's function libraries, created empty on first use (without touching the engine's random source). */
export function functionLibraries(engine: Engine): LibrarySet {
  let set = registries.get(engine)
  if (!set) {
    set = new LibrarySet()
    registries.set(engine, set)
    engine.registeredFunctionFlags = (name) => registries.get(engine)?.functions.get(name.toLowerCase())?.flags
  }
  return set
}

/** The engine's libraries if any were ever asked for (INFO reads this without creating them). */
export function existingFunctionLibraries(engine: Engine): LibrarySet | null {
  return registries.get(engine) ?? null
}

/** FUNCTION FLUSH and FUNCTION RESTORE FLUSH: the engine gets `next` (or an empty set). */
export function replaceFunctionLibraries(engine: Engine, next: LibrarySet = new LibrarySet()): void {
  functionLibraries(engine)
  registries.set(engine, next)
}
