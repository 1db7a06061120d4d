import { defineConfig } from 'vitest/config';

// Tests that need every pinned chart in .cache/charts, so the network first
// (`npx gitops charts fetch --pull`): run by the validate workflow's charts job on GitHub runners.
// `npm test` (and .ci/run, offline) run vitest.config.ts, which leaves them out.
export default defineConfig({
  test: {
    include: ['tools/test/network/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
