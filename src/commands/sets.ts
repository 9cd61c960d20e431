/** set commands: declared here (in progress). */
import type { CommandSpec } from './types.ts'

export const setCommands: CommandSpec[] = []
