// The property suite's own vitest configuration: `npm run test:properties` (properties/cli.ts) runs it, and .ci/run
// runs that after `npm test`. Kept out of the default `npm test` so that its fixed budget (about two minutes on two
// cores) is paid once per CI run, and so that it can be sharded (`--shard i/n`: vitest splits the test files).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['properties/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
