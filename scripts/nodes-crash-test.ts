/**
 * Full-size crash test of three dialer nodes on one PostgreSQL (`npm run faults:nodes -- [--numbers 100000]
 * [--kills 8] [--seed 1] [--pg-url postgres://…]`): see test/faults/harness/nodes-crash.ts. Starts a private
 * PostgreSQL unless --pg-url names a server. Prints the kills, the figures and every broken invariant; exits 1 if any.
 */
import { parseArgs } from 'node:util';
import { runNodesCrashTest } from '../test/faults/harness/nodes-crash.js';
import { freshDatabase, startPostgres } from '../test/helpers/postgres.js';

const { values } = parseArgs({
  options: {
    numbers: { type: 'string', default: '100000' },
    kills: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    'time-scale': { type: 'string', default: '0.02' },
    'channels-per-task': { type: 'string', default: '25' },
    'lease-seconds': { type: 'string', default: '2' },
    'pg-url': { type: 'string' },
  },
});
const pg = values['pg-url'] ? undefined : await startPostgres();
let failed = true;
try {
  const numbers = Number(values.numbers);
  const report = await runNodesCrashTest({
    databaseUrl: await freshDatabase(values['pg-url'] ?? pg!.url, 'crash'),
    numbers,
    kills: Number(values.kills),
    seed: Number(values.seed),
    timeScale: Number(values['time-scale']),
    killAfterMs: [3000, 15000],
    leaseSeconds: Number(values['lease-seconds']),
    channelsPerTask: Number(values['channels-per-task']),
    doneTimeoutMs: 3 * 3600_000,
    progress: (l) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`),
  });
  console.log(JSON.stringify({ kills: report.kills, figures: report.figures, wallSeconds: Math.round(report.wallMs / 1000) }, null, 2));
  if (report.problems.length) console.log(`PROBLEMS:\n${report.problems.join('\n')}`);
  else console.log('all invariants hold');
  failed = report.problems.length > 0;
} finally {
  await pg?.stop();
}
process.exit(failed ? 1 : 0);
