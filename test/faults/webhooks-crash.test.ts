import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../sim/index.js';
import { startWebhookReceiver } from '../fakes/webhook-receiver.js';
import { createCampaign, prng, readDb, waitCampaignDone } from './harness/campaign.js';
import { freePort, sleep, startService, type RunningService } from './harness/service.js';

/**
 * No webhook lost across a SIGKILL: the service (a real child process) runs a campaign on the simulator with a global
 * webhook to a receiver that verifies every signature and answers slowly (deliveries are in flight at the kills); it is
 * SIGKILLed twice mid-campaign and restarted. In the end every attempt row that has a result has its call.result
 * delivered at least once (deduplicated by idempotency key), with that very result, and every repeat of a key is
 * the same body.
 */

const SECRET = 'crash-test-secret';
const TIME_SCALE = 0.02;

describe('webhooks across SIGKILL', () => {
  it('every attempt with a result has its call.result delivered at least once, none lost', async () => {
    const receiver = await startWebhookReceiver(SECRET);
    receiver.delayMs = 40;
    const dataDir = mkdtempSync(join(tmpdir(), 'autodialer-webhooks-crash-'));
    const sim = await startSimulator({ port: 0, timeScale: TIME_SCALE, seed: 7, username: 'crash', password: 'crash' });
    const opts = {
      ariUrl: sim.url,
      ariUsername: 'crash',
      ariPassword: 'crash',
      dataDir,
      timeScale: TIME_SCALE,
      httpPort: await freePort(),
      env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET },
    };
    const rnd = prng(11);
    let svc: RunningService | undefined;
    const pendingAtKill: number[] = [];
    try {
      svc = await startService(opts);
      const { taskIds } = await createCampaign(svc.url, sim, 300, 7, 20);
      for (let k = 0; k < 2; k++) {
        await sleep(800 + Math.round(rnd() * 1200));
        svc.child.kill('SIGKILL');
        await svc.exited;
        pendingAtKill.push(undeliveredCount(dataDir));
        await sleep(200);
        svc = await startService(opts);
      }
      await waitCampaignDone(svc.url, 90_000);
      const { rows } = readDb(dataDir);
      const withResult = rows.filter((r) => r.result !== '');
      // the lease of a row claimed by the killed process runs out 11 s after its claim (the 10 s timeout + 1 s)
      const end = Date.now() + 60_000;
      while (withResult.some((r) => !receiver.delivered().has(`call.result:${r.id}`)) && Date.now() < end) await sleep(200);

      // and the sender knows: every outbox row is marked delivered (rows claimed by a killed process went again)
      const end2 = Date.now() + 60_000;
      while (undeliveredCount(dataDir) > 0 && Date.now() < end2) await sleep(200);
      expect(undeliveredCount(dataDir)).toBe(0);

      const delivered = receiver.delivered();
      const missing = withResult.filter((r) => !delivered.has(`call.result:${r.id}`)).map((r) => r.id);
      expect(missing).toEqual([]);
      for (const r of withResult) expect(delivered.get(`call.result:${r.id}`)!.json.data.result, `row ${r.id}`).toBe(r.result);
      // nothing for rows without a result, every signature right, a key always carries the same body
      const calls = receiver.hooks.filter((h) => h.event === 'call.result');
      expect(calls.every((h) => h.verified)).toBe(true);
      const ids = new Set(withResult.map((r) => `call.result:${r.id}`));
      expect(calls.filter((h) => !ids.has(h.key!))).toEqual([]);
      const bodies = new Map<string, string>();
      for (const h of calls) expect(bodies.get(h.key!) ?? (bodies.set(h.key!, h.body), h.body)).toBe(h.body);
      // every task closed by the dialer said so
      const completed = new Set(receiver.hooks.filter((h) => h.event === 'task.state' && h.json.data.reason === 'completed').map((h) => Number(h.json.data.id)));
      expect([...completed].sort()).toEqual([...taskIds].sort());
      // the kills hit undelivered webhooks (otherwise the test proves little)
      expect(pendingAtKill.some((n) => n > 0)).toBe(true);
      // eslint-disable-next-line no-console
      console.log(
        `webhooks crash: ${withResult.length} results, ${calls.length} call.result POSTs (${calls.length - new Set(calls.map((h) => h.key)).size} repeats), ` +
          `undelivered at the kills: ${pendingAtKill.join(', ')}`,
      );
      svc.child.kill('SIGTERM');
      await svc.exited;
      svc = undefined;
    } finally {
      if (svc) {
        svc.child.kill('SIGKILL');
        await svc.exited;
      }
      await sim.stop();
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

function undeliveredCount(dataDir: string): number {
  const db = new Database(join(dataDir, 'autodialer.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM webhook_outbox WHERE deliveredAt IS NULL').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
