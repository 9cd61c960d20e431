/**
 * Key specs, flags and categories behind COMMAND INFO / GETKEYS, exercised on commands declared here so that the
 * movable-key cases (EVAL's numkeys, XREAD's STREAMS keyword, ...) are covered whatever the live table holds.
 * Expected flags are what redis-server 7.0.15 answers to COMMAND GETKEYSANDFLAGS for the same arguments.
 */
import { describe, expect, it } from 'vitest'
import { aclCategories, commandInfoReply, shownFlags } from '../../src/commands/command-info.ts'
import { introspectionCommands } from '../../src/commands/introspection.ts'
import { commandHasKeys, keyFlagsByPosition, keySpecsOf } from '../../src/commands/key-specs.ts'
import { CommandTable } from '../../src/commands/table.ts'
import { type CommandContext, type CommandSpec, command } from '../../src/commands/types.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import { respText } from '../helpers.ts'

const noop = () => null
const argv = (...args: string[]) => args.map((a) => Buffer.from(a))

/** EVAL's key finder: numkeys at argv[2], keys after it; rejects a numkeys beyond the arguments. */
function evalKeys(args: Buffer[]): number[] {
  const n = Number(args[2].toString())
  if (!Number.isInteger(n) || n < 0 || 3 + n > args.length) throw new Error('bad numkeys')
  return Array.from({ length: n }, (_, i) => 3 + i)
}

const EVAL = command(
  'eval',
  -3,
  ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'],
  null,
  ['slow', 'scripting'],
  noop,
  {
    getKeys: evalKeys,
  },
)
const ZUNIONSTORE = command('zunionstore', -4, ['write', 'denyoom'], [1, 1, 1], ['write', 'sortedset', 'slow'], noop, {
  getKeys: (args) => {
    const n = Number(args[2].toString())
    if (!(n > 0) || 3 + n > args.length) return []
    return [1, ...Array.from({ length: n }, (_, i) => 3 + i)]
  },
})
const XREAD = command('xread', -4, ['readonly', 'blocking'], null, ['read', 'stream', 'slow', 'blocking'], noop, {
  getKeys: (args) => {
    const at = args.findIndex((a) => a.toString().toUpperCase() === 'STREAMS')
    const count = Math.floor((args.length - at - 1) / 2)
    return Array.from({ length: count }, (_, i) => at + 1 + i)
  },
})
const BITFIELD = command('bitfield', -2, ['write', 'denyoom'], [1, 1, 1], ['write', 'bitmap', 'slow'], noop)
const SPUBLISH = command('spublish', 3, ['pubsub', 'loading', 'stale', 'fast'], [1, 1, 1], ['pubsub', 'fast'], noop)
/** A command Redis does not have: its key specs are derived from the declaration. */
const MYCMD = command('mycmd', -3, ['write'], [2, -1, 2], ['write', 'slow'], noop)
const MYREAD = command('myread', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'fast'], noop)

function table(...specs: CommandSpec[]): CommandTable {
  return new CommandTable([...introspectionCommands, ...specs])
}

/** Runs a COMMAND subcommand handler against a table of our own. */
function runCommand(t: CommandTable, ...args: string[]): string {
  const container = introspectionCommands[0]
  const sub = container.subcommands!.find((s) => s.name === args[0].toLowerCase())!
  const ctx = { engine: { executor: { table: t } }, argv: argv('COMMAND', ...args) } as unknown as CommandContext
  return respText(sub.handler(ctx) as Reply)
}

describe('key specs of movable-key commands', () => {
  const t = table(EVAL, ZUNIONSTORE, XREAD, BITFIELD, SPUBLISH, MYCMD, MYREAD)

  it('EVAL: keys from numkeys, flagged RW access update; none when numkeys is bad (no_mandatory_keys)', () => {
    expect(runCommand(t, 'GETKEYSANDFLAGS', 'eval', 'x', '2', 'a', 'b', 'c')).toBe(
      '*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n*2\r\n$1\r\nb\r\n*3\r\n+RW\r\n+access\r\n+update\r\n',
    )
    expect(runCommand(t, 'GETKEYS', 'eval', 'x', '1', 'a')).toBe('*1\r\n$1\r\na\r\n')
    expect(runCommand(t, 'GETKEYS', 'eval', 'x', '5', 'a')).toBe('*0\r\n')
    expect(runCommand(t, 'GETKEYS', 'eval', 'x', '0')).toBe('*0\r\n')
  })

  it('ZUNIONSTORE: destination and sources get their own flags; no keys is an error without no_mandatory_keys', () => {
    expect(runCommand(t, 'GETKEYSANDFLAGS', 'zunionstore', 'd', '2', 'a', 'b')).toBe(
      '*3\r\n*2\r\n$1\r\nd\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n' +
        '*2\r\n$1\r\nb\r\n*2\r\n+RO\r\n+access\r\n',
    )
    expect(runCommand(t, 'GETKEYS', 'zunionstore', 'd', '5', 'a')).toBe(
      '-ERR Invalid arguments specified for command\r\n',
    )
  })

  it('XREAD: keys found after the STREAMS keyword, half of the remaining arguments', () => {
    expect(runCommand(t, 'GETKEYSANDFLAGS', 'xread', 'COUNT', '2', 'streams', 's1', 's2', '0', '0')).toBe(
      '*2\r\n*2\r\n$2\r\ns1\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$2\r\ns2\r\n*2\r\n+RO\r\n+access\r\n',
    )
    const flags = keyFlagsByPosition(XREAD, argv('xread', 'STREAMS', 'a', 'b', 'c', '1', '2', '3'))
    expect([...flags.keys()]).toEqual([2, 3, 4])
  })

  it('BITFIELD: read-only with only GET operations, read-write otherwise', () => {
    expect(runCommand(t, 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'u8', '0')).toBe(
      '*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n',
    )
    expect(runCommand(t, 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1')).toBe(
      '*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n',
    )
    expect(runCommand(t, 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'u8')).toBe(
      '*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n',
    )
  })

  it('a channel marked not_key is not a key (SPUBLISH)', () => {
    expect(commandHasKeys(SPUBLISH)).toBe(false)
    expect(runCommand(t, 'GETKEYS', 'spublish', 'ch', 'msg')).toBe('-ERR The command has no key arguments\r\n')
  })

  it("derives key specs for commands Redis doesn't have, from first/last/step and write/readonly", () => {
    expect(keySpecsOf(MYCMD)).toEqual([
      { flags: ['RW', 'access', 'update'], begin: { index: 2 }, find: { lastkey: -1, keystep: 2, limit: 0 } },
    ])
    expect(keySpecsOf(MYREAD)).toEqual([
      { flags: ['RO', 'access'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } },
    ])
    expect(runCommand(t, 'GETKEYS', 'mycmd', 'x', 'k1', 'v1', 'k2', 'v2')).toBe('*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n')
    expect(runCommand(t, 'GETKEYSANDFLAGS', 'myread', 'k')).toBe('*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n')
  })
})

describe('flags and categories', () => {
  it('derives movablekeys from a key-finding function and prints flags in Redis order', () => {
    expect(shownFlags(EVAL)).toEqual(['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'])
    const shuffled = command('x', 1, ['allow_busy', 'fast', 'no_auth', 'noscript', 'stale', 'loading'], null, [], noop)
    expect(shownFlags(shuffled)).toEqual(['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'])
    const hidden = command('y', 1, ['fast', 'may_replicate', 'sentinel'], null, [], noop)
    expect(shownFlags(hidden)).toEqual(['fast'])
  })

  it('adds the categories Redis implies from flags, in table order', () => {
    expect(aclCategories(command('a', 1, ['write', 'fast'], null, ['string'], noop))).toEqual([
      'write',
      'string',
      'fast',
    ])
    expect(aclCategories(command('b', 1, ['admin'], null, [], noop))).toEqual(['admin', 'slow', 'dangerous'])
    expect(aclCategories(command('c', 1, ['readonly'], null, ['scripting'], noop))).toEqual(['slow', 'scripting'])
    expect(aclCategories(command('d', 1, ['blocking'], null, ['list', 'write'], noop))).toEqual([
      'write',
      'list',
      'slow',
      'blocking',
    ])
  })

  it('EVAL-like entry: 0 0 0 legacy range, movablekeys, keynum key spec from Redis', () => {
    expect(respText(commandInfoReply(EVAL))).toBe(
      '*10\r\n$4\r\neval\r\n:-3\r\n*5\r\n+noscript\r\n+stale\r\n+skip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n' +
        ':0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@scripting\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$78\r\n' +
        'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE\r\n$5\r\nflags\r\n*3\r\n+RW\r\n' +
        '+access\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n' +
        ':2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\n' +
        'firstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n',
    )
  })
})
