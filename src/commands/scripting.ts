/** EVAL family and SCRIPT: declared here, run by the Lua host in src/scripting/. */
import type { CommandSpec } from './types.ts'

export const scriptingCommands: CommandSpec[] = []
