/**
 * Full-size SIGTERM run: `npx tsx scripts/sigterm-drain.ts [--agents 10] [--quick 500] [--deadline 40]`.
 * Prints when the service exited against the deadline, what was recorded, and whether a restart finished it.
 */
import { parseArgs } from 'node:util';
import { runSigterm } from '../test/faults/harness/sigterm.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '10' },
    quick: { type: 'string', default: '500' },
    deadline: { type: 'string', default: '40' },
    'time-scale': { type: 'string', default: '0.05' },
  },
});
const agents = Array.from({ length: Number(values.agents) }, (_, i) => String(301 + i));
const r = await runSigterm({
  timeScale: Number(values['time-scale']),
  deadlineSeconds: Number(values.deadline),
  longPerAgent: 3,
  quick: Number(values.quick),
  agents,
});
const out = process.stdout;
out.write('\n=== SIGTERM with calls up ===\n');
out.write(`calls up at the signal ${r.callsUpAtSignal} (bridged to agents ${r.bridgedAtSignal})\n`);
out.write(`calls up at the signal that ended on their own before the deadline: ${r.drainedBeforeDeadline}; hung up at the deadline: ${r.hungUpAtDeadline}\n`);
out.write(`exit code ${r.exitCode}, exited ${r.exitAfterMs} ms after SIGTERM; scaled deadline ${r.deadlineMs} ms\n`);
out.write(`customer originates reaching Asterisk after the service handled the signal: ${r.originatesAfterStop} (all claimed before it)\n`);
out.write(`recorded at stop: ${JSON.stringify(r.recordedAtStop)}; numbers left for later (not dialed): ${r.notYetDialed}\n`);
out.write(`restart on the same database completed the campaign: ${r.completedAfterRestart}\n`);
if (r.problems.length || r.exitCode !== 0 || !r.completedAfterRestart) {
  out.write(`\nFAILED:\n${r.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
out.write('OK\n');
process.exit(0);
