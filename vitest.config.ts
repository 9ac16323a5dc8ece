import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the real-PBX suites run with `npm run test:asterisk` (vitest.asterisk.config.ts)
    exclude: ['test/asterisk/**', '**/node_modules/**'],
    // Suites spin up HTTP/WebSocket servers and SQLite files; run files in parallel
    // processes but keep each file's tests sequential so timing-based call flows stay stable.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
