/** COMMAND and its subcommands, answered from the command table. */
import type { CommandSpec } from './types.ts'

export const introspectionCommands: CommandSpec[] = []
