import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tools/test/**/*.test.ts'],
    // Needs the charts pulled from their repositories (network): vitest.network.config.ts.
    exclude: ['tools/test/network/**', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
