/**
 * Full-size crash test: `npx tsx scripts/crash-test.ts --numbers 10000 --kills 5 [--seed 1] [--time-scale 0.02]`.
 * The service runs as a child process against the simulator, is SIGKILLed at seeded random moments and
 * restarted; afterwards the simulator's call log and the results API are checked. Exit code 1 on any problem.
 */
import { parseArgs } from 'node:util';
import { runCrashTest } from '../test/faults/harness/crash.js';

const { values } = parseArgs({
  options: {
    numbers: { type: 'string', default: '10000' },
    kills: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'time-scale': { type: 'string', default: '0.02' },
    'kill-min-ms': { type: 'string', default: '2000' },
    'kill-max-ms': { type: 'string', default: '15000' },
    channels: { type: 'string', default: '40' },
    keep: { type: 'boolean', default: false },
  },
});

const report = await runCrashTest({
  numbers: Number(values.numbers),
  kills: Number(values.kills),
  seed: Number(values.seed),
  timeScale: Number(values['time-scale']),
  killAfterMs: [Number(values['kill-min-ms']), Number(values['kill-max-ms'])],
  channelsPerTask: Number(values.channels),
  doneTimeoutMs: 60 * 60_000,
  keepDir: values.keep,
  progress: (l) => process.stdout.write(`${new Date().toISOString()} ${l}\n`),
});

const out = process.stdout;
out.write('\n=== crash test ===\n');
out.write(`seed ${values.seed}, time scale ${values['time-scale']}, wall ${(report.wallMs / 1000).toFixed(1)} s, final SIGTERM exit code ${report.exitCode}\n`);
for (const [i, k] of report.kills.entries()) out.write(`kill ${i + 1}: after ${k.afterMs} ms, ${k.callsUp} calls up, restarted in ${k.restartMs} ms\n`);
for (const [k, v] of Object.entries(report.figures)) out.write(`${k.padEnd(34)} ${v}\n`);
if (values.keep) out.write(`data dir kept: ${report.dataDir}\n`);
if (report.problems.length || report.exitCode !== 0) {
  out.write(`\nFAILED:\n${report.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
out.write('\nOK: no overlap, no double originate, attempts within maxAttempt, every number terminal, all rows in GET /results\n');
process.exit(0);
