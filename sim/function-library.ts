/**
 * A Redis function library made of fixture scripts, for workloads that call them with FCALL: each script's text
 * becomes the body of a function of the same name whose parameters are named KEYS and ARGV, so the unchanged script
 * reads its keys and arguments as under EVAL. The model needs nothing from here: a function behaves exactly as the
 * script it wraps (sim/model/scripts.ts), only its error texts name the function and library lines instead.
 */

export interface LibraryScript {
  readonly name: string
  readonly source: string
}

/** The code FUNCTION LOAD takes: `#!lua name=<library>`, then one redis.register_function per script. */
export function functionLibraryCode(library: string, scripts: readonly LibraryScript[]): string {
  const parts = [`#!lua name=${library}`]
  for (const script of scripts) {
    parts.push(`redis.register_function('${script.name}', function(KEYS, ARGV)`)
    parts.push(script.source.replace(/\n$/, ''))
    parts.push('end)')
  }
  return `${parts.join('\n')}\n`
}
