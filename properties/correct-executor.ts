/**
 * The shared body of the correct-executor property tests: check one property with the fixed budget, and on failure
 * fail the test with the shrunk race report's path and the command that replays it.
 */
import { expect } from 'vitest'
import { checkProperty, describeFailure, PROPERTIES, type PropertyName, runs } from './harness.ts'
import type { WorkloadShape } from './arbitraries.ts'

export async function expectPropertyHolds(name: PropertyName, baseRuns: number, shape?: WorkloadShape): Promise<void> {
  const failure = await checkProperty(new Set(PROPERTIES[name]), {
    numRuns: runs(baseRuns),
    shape,
    name: `property-${name}`,
  })
  if (failure) {
    const message = describeFailure(name, failure)
    // Printed as well as thrown: CI logs show it even when the assertion output is truncated.
    console.error(message)
    expect.fail(message)
  }
}
