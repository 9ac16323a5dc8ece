/** `npm run sim -- --port 8088 --time-scale 1 --seed 1`: a stand-alone simulated Asterisk ARI. */
import { parseArgs } from 'node:util';
import { startSimulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8088' },
    host: { type: 'string', default: '127.0.0.1' },
    'time-scale': { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    user: { type: 'string', default: 'asterisk' },
    password: { type: 'string', default: 'asterisk' },
    trunk: { type: 'string', default: 'local' },
    'jitter-ms': { type: 'string', default: '0' },
  },
});

function num(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name}: expected a non-negative number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

const sim = await startSimulator({
  port: num('port', values.port),
  host: values.host,
  timeScale: num('time-scale', values['time-scale']) || 1,
  seed: num('seed', values.seed),
  username: values.user,
  password: values.password,
  trunkMode: values.trunk === 'sip' ? 'sip' : 'local',
  jitterMs: num('jitter-ms', values['jitter-ms']),
});

const line = '='.repeat(72);
process.stdout.write(
  [
    line,
    '  SIMULATED ASTERISK (ARI) — NOT A REAL PBX. No real calls are placed.',
    `  ARI URL:   ${sim.url}   (user "${sim.username}", password "${sim.password}")`,
    `  Events:    ${sim.url.replace('http', 'ws')}/ari/events?app=<app>`,
    `  Control:   ${sim.url}/sim/calls, PUT ${sim.url}/sim/customers/<number>`,
    `  Time scale ${values['time-scale']}, seed ${values.seed}, jitter ${values['jitter-ms']} ms, trunk mode ${values.trunk}`,
    '  Customers by last digit: 0 answer after 2 s, 1 DTMF 1, 2 busy, 3 no answer, 4 congestion,',
    '  5 answer+hangup, 6 DTMF 3,9, 7 answer after 3 s, 8 unallocated, 9 machine; letters: no route',
    line,
    '',
  ].join('\n'),
);

const shutdown = () => void sim.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
