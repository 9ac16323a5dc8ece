/**
 * Two dialer nodes, each on its own real Asterisk 22, sharing campaigns in one PostgreSQL: both PBXes dial the
 * shared survey task within its maxCountChannels, an extension task is dialed only by the node whose PBX has the
 * agent, and when one node is SIGKILLed and stays away, the other takes its calls over after the lease, without
 * dialing any number twice (the PBXes' own dial logs are the witness). Needs the real-PBX runtime and PostgreSQL.
 * A failure prints the nodes' warnings and errors; NODES_TRACE=1 prints everything but HTTP requests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { allResultsFromApi } from '../faults/harness/campaign.js';
import { sleep } from '../faults/harness/service.js';
import { freshDatabase, postgresSkipReason, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { pbxService, type PbxService, type Row } from './dialer-harness.js';
import { pbxSkipReason, startPbx, type Pbx } from './pbx.js';

const numbersFor = (base: string, count: number, digits: string) =>
  Array.from({ length: count }, (_, i) => `${base}${String(i).padStart(3, '0')}${digits[i % digits.length]}`);

describe.skipIf(pbxSkipReason() || postgresSkipReason())('two dialer nodes on two real Asterisks, one PostgreSQL', () => {
  let pg: TestPostgres;
  let pbxes: Pbx[] = [];
  let nodes: PbxService[] = [];
  let url: string;

  beforeAll(async () => {
    pg = await startPostgres();
    url = await freshDatabase(pg.url);
    pbxes = await Promise.all([startPbx(), startPbx()]);
    const env = (id: string, targets: string) => ({
      DATABASE_URL: url,
      DIALER_NODE_ID: id,
      DIALER_NODE_LEASE_SECONDS: '3',
      DIALER_NODE_TARGETS: targets,
      DIALER_SAFETY_TICK_SECONDS: '0.5',
      DIALER_AGENT_DEVICE: 'Local/{exten}@test-agents',
    });
    // the agent 201 "lives" on the first PBX only as far as the dialer is told: node A serves it, node B never
    nodes = [await pbxService(env('pbx-a', '201'), pbxes[0]), await pbxService(env('pbx-b', '0'), pbxes[1])];
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    for (const p of pbxes) await p.destroy();
    await pg?.stop();
  });

  // a failure shows what the nodes logged (their folders are removed afterwards)
  beforeEach(() =>
    onTestFailed(() => {
      for (const n of nodes) {
        const lines = readFileSync(join(n.dataDir, "service.log"), "utf8").split("\n").filter((l) => (process.env.NODES_TRACE && !l.includes('"area":"http"')) || /"level":(40|50|60)/.test(l));
        process.stderr.write(`--- ${n.url} warnings and errors (last 40) ---\n${lines.slice(-40).join('\n')}\n`);
      }
    }),
  );

  const rows = async (taskId: number) => {
    const db = await openDb(url);
    try {
      return await db.all<Row & { node: string | null }>('SELECT * FROM task_results WHERE taskId = ? ORDER BY id', [taskId]);
    } finally {
      await db.close();
    }
  };
  const dials = (numbers: string[]) => pbxes.flatMap((p, i) => p.dials().filter((d) => numbers.includes(d.number)).map((d) => ({ ...d, pbx: i })));

  it('a survey task shared by both nodes: each PBX dials part of it, no number twice, every result in /results of either node', async () => {
    // each node's /health lists both nodes, alive and dialing (told at the first lease renewal after connecting)
    for (const n of nodes) {
      const seen = async () => ((await (await fetch(`${n.url}/health`)).json()) as { nodes: { id: string; alive: boolean; dialing: boolean }[] }).nodes.map((x) => [x.id, x.alive, x.dialing]);
      const want = [['pbx-a', true, true], ['pbx-b', true, true]];
      for (let i = 0; i < 50 && JSON.stringify(await seen()) !== JSON.stringify(want); i++) await sleep(100);
      expect(await seen()).toEqual(want);
    }
    const pollingId = await nodes[0]!.polling();
    const numbers = numbersFor('7907', 24, '01367');
    const taskId = await nodes[1]!.task({ innerNum: String(pollingId), innerNumType: 'polling', maxCountChannels: 6, maxAttempt: 1, numbers });
    await nodes[0]!.waitClosed(taskId, 150_000);
    const r = await rows(taskId);
    const d = dials(numbers);
    expect(r.every((x) => x.result && x.closeTime > 0)).toBe(true);
    expect(new Set(d.map((x) => x.number)).size).toBe(d.length); // no number dialed twice, on either PBX
    expect(d.length).toBe(numbers.length - numbers.filter((n) => n.endsWith('8')).length);
    expect(new Set(d.map((x) => x.pbx))).toEqual(new Set([0, 1])); // both PBXes carried calls
    expect(new Set(r.map((x) => x.node))).toEqual(new Set(['pbx-a', 'pbx-b']));
    for (const n of nodes) {
      const api = await allResultsFromApi(n.url);
      expect(r.filter((x) => api.get(x.id)?.result !== x.result)).toEqual([]);
    }
  });

  it('an extension task is dialed only by the node whose PBX has the agent', async () => {
    // …1: the customer answers, talks about 6 s and hangs up (the agents talk until hung up)
    const numbers = ['79070100001', '79070100011'];
    const taskId = await nodes[1]!.task({ innerNum: '201', maxCountChannels: 1, maxAttempt: 1, numbers });
    await nodes[0]!.waitClosed(taskId, 60_000);
    expect(dials(numbers).map((x) => x.pbx)).toEqual([0, 0]);
    const r = await rows(taskId);
    expect(r.map((x) => x.node)).toEqual(['pbx-a', 'pbx-a']);
    expect(r.map((x) => x.result)).toEqual(['SUCCESS_CLIENT_H', 'SUCCESS_CLIENT_H']);
  });

  it('a node SIGKILLed mid-campaign and never back: the peer takes its calls over after the lease, nothing dialed twice, nothing lost', async () => {
    const pollingId = await nodes[0]!.polling();
    // long rings (…3 never answers within the ring timeout) and surveys keep calls up on both PBXes
    const numbers = numbersFor('7908', 30, '13671');
    const taskId = await nodes[0]!.task({ innerNum: String(pollingId), innerNumType: 'polling', maxCountChannels: 8, maxAttempt: 1, numbers });
    const start = Date.now();
    let onB: (Row & { node: string | null })[] = [];
    while (Date.now() - start < 30_000) {
      onB = (await rows(taskId)).filter((x) => x.node === 'pbx-b' && !x.closeTime && x.state !== 'CreateTask');
      if (onB.length >= 2) break;
      await sleep(100);
    }
    expect(onB.length).toBeGreaterThanOrEqual(2);
    nodes[1]!.svc.child.kill('SIGKILL');
    await nodes[1]!.svc.exited;
    const killedAt = Date.now() / 1000;
    await nodes[0]!.waitClosed(taskId, 180_000);
    const r = await rows(taskId);
    const d = dials(numbers);
    expect(r.every((x) => x.result && x.closeTime > 0)).toBe(true);
    expect(new Set(d.map((x) => x.number)).size).toBe(d.length);
    // the rows pbx-b had in flight were closed by pbx-a after the lease ran out, not before
    const takenOver = r.filter((x) => x.node === 'pbx-b' && x.closeTime > killedAt);
    expect(takenOver.length).toBeGreaterThan(0);
    for (const x of takenOver) expect(x.closeTime).toBeGreaterThanOrEqual(killedAt + 2);
    // every number dialed at most once, and every dial has its row
    const callFiles = new Set(r.map((x) => x.callFile));
    expect(d.filter((x) => !callFiles.has(x.linkedId))).toEqual([]);
    const api = await allResultsFromApi(nodes[0]!.url);
    expect(r.filter((x) => api.get(x.id)?.result !== x.result)).toEqual([]);
  });
});
