/**
 * `npm run sim -- --workload ./my.json --scripts ./my-scripts/` with paths of the user's project: a recipe file
 * outside fixtures/ runs (on worker threads too), the user's scripts join the scenario under their file names, and a
 * missing or malformed file, a missing directory, a script nobody has or one that shadows a fixture stops the run
 * before it starts with one line and exit 2.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type CliIO, main } from '../../sim/cli.ts'
import { buildScenario, USER_SCRIPTS_ENV, workloadSpec } from '../../sim/workloads.ts'

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), isTTY: false }
  const code = await main(args, io)
  return { code, out, err }
}

const project = mkdtempSync(join(tmpdir(), 'redsim-project-'))
const scriptsDir = join(project, 'my-scripts')
mkdirSync(scriptsDir)
writeFileSync(
  join(scriptsDir, 'add-twice.lua'),
  "-- requires: INCRBY\nredis.call('INCRBY', KEYS[1], ARGV[1])\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])\n",
)
const recipe = (extra: object) => ({
  name: 'my-counters',
  description: 'counters of my own',
  swarm: false,
  clients: 3,
  ops: 4,
  keys: 2,
  mix: { command: 1 },
  commands: [{ argv: ['INCR', '$key'] }, { argv: ['GET', '$key'] }],
  ...extra,
})
writeFileSync(join(project, 'my.json'), JSON.stringify(recipe({})))
writeFileSync(
  join(project, 'scripted.json'),
  JSON.stringify(recipe({ mix: { script: 1 }, scripts: [{ script: 'add-twice', keys: ['$key'], args: ['2'] }] })),
)
writeFileSync(join(project, 'broken.json'), '{ "name": ')
writeFileSync(join(project, 'typo.json'), JSON.stringify(recipe({ mix: { comand: 1 } })))
writeFileSync(
  join(project, 'missing-script.json'),
  JSON.stringify(recipe({ mix: { script: 1 }, scripts: [{ script: 'nobody-has-it', keys: ['$key'], args: [] }] })),
)

afterEach(() => {
  delete process.env[USER_SCRIPTS_ENV]
})

describe('sim CLI with paths of the user project', () => {
  it('runs a recipe file outside fixtures/, relative to the working directory, on worker threads', async () => {
    const file = relative(process.cwd(), join(project, 'my.json'))
    const r = await cli('--workload', file, '--seed', '1', '--runs', '4', '--workers', '2', '--json')
    expect(r.err).toBe('')
    const summary = JSON.parse(r.out)
    expect(summary).toMatchObject({ workload: join(project, 'my.json'), seeds: 4, passed: 4, exitCode: 0 })
    expect(r.code).toBe(0)
  })

  it("puts the user's scripts in the scenario under their file names", () => {
    process.env[USER_SCRIPTS_ENV] = scriptsDir
    const scenario = buildScenario(workloadSpec(join(project, 'scripted.json')), 1)
    expect(Object.keys(scenario.scripts)).toEqual(['add-twice'])
    expect(scenario.scripts['add-twice']).toContain("redis.call('INCRBY', KEYS[1], ARGV[1])")
    expect(scenario.programs.flat().every((op) => op.kind === 'script' && op.script === 'add-twice')).toBe(true)
  })

  const usage: Array<[string, string[], RegExp]> = [
    [
      'a missing workload file',
      ['--workload', './no/such.json'],
      /^redsim sim: workload file \.\/no\/such\.json does not exist\n/,
    ],
    ['a file that is not JSON', ['--workload', join(project, 'broken.json')], /broken\.json is not valid JSON/],
    [
      'an unknown operation kind',
      ['--workload', join(project, 'typo.json')],
      /unknown operation kind 'comand' in "mix"/,
    ],
    ['a missing scripts directory', ['--scripts', join(project, 'nope')], /scripts directory .*nope does not exist/],
    ['a file as scripts directory', ['--scripts', join(project, 'my.json')], /my\.json is not a directory/],
    [
      'a script nobody has',
      ['--workload', join(project, 'missing-script.json'), '--scripts', scriptsDir],
      /uses the script 'nobody-has-it', which is neither in fixtures\/scripts nor in a --scripts directory/,
    ],
  ]
  for (const [what, args, message] of usage) {
    it(`stops before the run on ${what}: one line, exit 2`, async () => {
      const r = await cli(...args)
      expect(r.code).toBe(2)
      expect(r.err).toMatch(message)
      expect(r.err.split('\n').filter(Boolean)).toHaveLength(2) // the message and the pointer to --help
      expect(r.out).toBe('')
    })
  }

  it('refuses a user script that shadows a fixture script', async () => {
    const shadow = join(project, 'shadow')
    mkdirSync(shadow)
    writeFileSync(join(shadow, 'counter.lua'), "return redis.call('INCR', KEYS[1])\n")
    const r = await cli('--workload', join(project, 'scripted.json'), '--scripts', shadow)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/counter\.lua has the name of a built-in fixture script/)
  })
})
