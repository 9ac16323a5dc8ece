import { defineConfig } from 'vitest/config';

/**
 * `npm run test:asterisk`: the suites that run against a real Asterisk 22 (test/asterisk), each starting its own
 * private PBX from ../shared/asterisk-runtime. Real calls take real seconds, so timeouts are long; two files at a
 * time (2 cores: each file also runs a PBX and usually the service).
 */
export default defineConfig({
  test: {
    include: ['test/asterisk/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
