import { allButName, type CommandSpec, firstKey } from './command-spec.ts'
import { typeOf } from './values.ts'

/** Generic key commands. */
export const keyCommands: CommandSpec[] = [
  {
    name: 'DEL',
    arity: -2,
    keys: allButName,
    run: (db, argv) => {
      let removed = 0
      for (let i = 1; i < argv.length; i++) if (db.delete(argv[i])) removed++
      return removed
    },
  },
  {
    name: 'EXISTS',
    arity: -2,
    keys: allButName,
    // Redis counts a key once per mention: EXISTS k k -> 2.
    run: (db, argv) => argv.slice(1).filter((key) => db.get(key) !== undefined).length,
  },
  {
    name: 'TYPE',
    arity: 2,
    keys: firstKey,
    run: (db, argv) => {
      const value = db.get(argv[1])
      return value === undefined ? 'none' : typeOf(value)
    },
  },
]
