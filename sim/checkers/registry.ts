/**
 * The registry of violation kinds: every kind any checker (or the seed runner) can report, declared once by whatever
 * reports it, with the property it falsifies and whether it catches a mutant. The property list and the kinds that
 * count as catching a mutant (properties/harness.ts), the kinds shrinking never targets (sim/shrink.ts), the
 * `ViolationKind` type and the checker table in docs/simulator.md are all derived from it.
 */
import { REGISTERED_CHECKERS } from './index.ts'
import { PROPERTY_SUMMARIES, type PropertyName } from './properties.ts'
import type { KindSource, KindSpec } from './types.ts'

/** Not a checker: `runSeedTwice` (sim/run.ts, `--check-determinism`) runs a seed twice and compares the trace hashes. */
export const SEED_RUNNER = {
  name: 'run-twice',
  kinds: [
    {
      kind: 'nondeterminism',
      property: null,
      catches: false,
      harness: true,
      description: 'one seed run twice gave two different traces: the simulation is not reproducible',
    },
  ],
} as const satisfies KindSource

/**
 * Not a checker either: race reports present an `interleaved-writes` whose intruding accesses only read under its own
 * name (sim/report/headline.ts), and the kill table expects the reports' kinds.
 */
export const RACE_REPORT = {
  name: 'race report',
  kinds: [
    {
      kind: 'interleaved-access',
      property: 'no-interleaved-writes',
      catches: true,
      description: 'an `interleaved-writes` whose intruding accesses only read, as race reports name it',
    },
  ],
} as const satisfies KindSource

const SOURCES = [...REGISTERED_CHECKERS, SEED_RUNNER, RACE_REPORT] as const

/** Every kind of violation a run can report. */
export type ViolationKind = (typeof SOURCES)[number]['kinds'][number]['kind']

export interface RegisteredKind extends KindSpec<ViolationKind> {
  /** The checkers (or the seed runner) that report it, in reporting order. */
  readonly sources: readonly string[]
}

/**
 * Collects the kinds of `sources`, in reporting order. A kind several sources report must be declared the same way by
 * each (ideally the same object): two different meanings under one name would make the property list ambiguous.
 */
export function collectKinds(sources: readonly KindSource[]): Map<string, RegisteredKind> {
  const kinds = new Map<string, RegisteredKind>()
  for (const source of sources) {
    for (const spec of source.kinds) {
      const known = kinds.get(spec.kind)
      if (!known) {
        kinds.set(spec.kind, { ...spec, harness: spec.harness ?? false, sources: [source.name] } as RegisteredKind)
        continue
      }
      if (
        known.property !== spec.property ||
        known.catches !== spec.catches ||
        known.harness !== (spec.harness ?? false) ||
        known.description !== spec.description
      ) {
        throw new Error(
          `violation kind '${spec.kind}' is declared differently by ${known.sources[0]} and ${source.name}`,
        )
      }
      if (known.sources.includes(source.name)) throw new Error(`${source.name} declares '${spec.kind}' twice`)
      ;(known.sources as string[]).push(source.name)
    }
  }
  return kinds
}

export const VIOLATION_KINDS: ReadonlyMap<ViolationKind, RegisteredKind> = collectKinds(SOURCES) as Map<
  ViolationKind,
  RegisteredKind
>

export function isViolationKind(kind: string): kind is ViolationKind {
  return VIOLATION_KINDS.has(kind as ViolationKind)
}

function kindsWhere(keep: (kind: RegisteredKind) => boolean): ViolationKind[] {
  return [...VIOLATION_KINDS.values()].filter(keep).map((k) => k.kind)
}

/** Each property, as the violation kinds that falsify it. */
export const PROPERTIES: { readonly [P in PropertyName]: readonly ViolationKind[] } = Object.fromEntries(
  (Object.keys(PROPERTY_SUMMARIES) as PropertyName[]).map((name) => [name, kindsWhere((k) => k.property === name)]),
) as { [P in PropertyName]: ViolationKind[] }

/** What counts as catching a mutant. */
export const CATCH_KINDS: ReadonlySet<string> = new Set(kindsWhere((k) => k.catches))

/** Kinds that say the harness or the run broke rather than the executor misbehaving: never a target for shrinking. */
export const HARNESS_KINDS: ReadonlySet<string> = new Set(kindsWhere((k) => k.harness === true))
