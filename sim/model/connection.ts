/**
 * The connection commands workloads send that touch no key (UNWATCH, CLIENT PAUSE/UNPAUSE). CLIENT PAUSE holds back other clients' writes until it
 * ends: that only stretches those operations in time (they take the lock later), so a linearizable history needs
 * nothing more of the model than the reply.
 */
import type { CommandSpec } from './command-spec.ts'

export const connectionCommands: CommandSpec[] = [
  {
    name: 'CLIENT',
    arity: -2,
    keys: () => [],
    run: (_db, argv) => {
      const sub = argv[1].toUpperCase()
      if (sub === 'PAUSE' || sub === 'UNPAUSE') return 'OK'
      throw new Error(`model: CLIENT ${sub} is not modelled`)
    },
  },
  // Outside a WATCH increment (whose commands are consecutive), nothing is watched: UNWATCH changes nothing.
  { name: 'UNWATCH', arity: 1, keys: () => [], run: () => 'OK' },
]
