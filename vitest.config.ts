import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // properties/** has its own configuration and budget: `npm run test:properties` (also run by .ci/run).
    include: ['test/**/*.test.ts', 'sim/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
