import { defineConfig } from 'vitest/config';
import { postgresSkipReason } from './test/helpers/postgres.js';

/**
 * `npm test`: every suite on SQLite (project `sqlite`), then the API, dialer, survey and multi-node suites again
 * on PostgreSQL (project `postgres`, a private server started by test/helpers/postgres-global.ts). Without
 * PostgreSQL installed the second project is left out with one line saying so (CI must have it).
 * The real-PBX suites run with `npm run test:asterisk` (vitest.asterisk.config.ts).
 */
const skipPostgres = postgresSkipReason();
if (skipPostgres) process.stderr.write(`${skipPostgres}\n`);

/** The suites that run on both databases: everything that stores or reads tasks, rows and results. */
const ON_BOTH = ['test/api/**/*.test.ts', 'test/dialer/**/*.test.ts', 'test/survey/**/*.test.ts', 'test/inbound/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/nodes/**/*.test.ts', 'test/settings/**/*.test.ts', 'test/crm/**/*.test.ts', 'test/webhooks/**/*.test.ts'];
/** Suites that need several nodes on one shared server: PostgreSQL only. */
const POSTGRES_ONLY = ['test/nodes/**/*.pg.test.ts'];

export default defineConfig({
  test: {
    // Suites spin up HTTP/WebSocket servers and databases; run files in parallel processes but keep each
    // file's tests sequential so timing-based call flows stay stable.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/asterisk/**', ...POSTGRES_ONLY, '**/node_modules/**'],
        },
      },
      ...(skipPostgres
        ? []
        : [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: [...ON_BOTH, ...POSTGRES_ONLY],
                globalSetup: ['test/helpers/postgres-global.ts'],
              },
            },
          ]),
    ],
  },
});
