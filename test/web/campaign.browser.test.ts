import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSurvey } from '../../stasis/survey/types.js';
import { createResultsWriter } from '../../stasis/survey/results.js';
import { until } from '../dialer/helpers.js';
import { browserSkipReason } from './browser.js';
import { ARTIFACTS, startCockpitWorld, type CockpitWorld } from './cockpit-world.js';

/**
 * One campaign's page in a real browser: its numbers table updating live as 40 numbers are dialed (no reload),
 * keyset paging, search, result filter, a number's attempts with its survey answers, a bar chart per question
 * with the counts the database holds; the live-calls view with a call whose clock ticks; the agents view with an
 * extension turning busy and free. The survey is a stand-in that stores answers as the real one does
 * (createResultsWriter), and holds the first number's call until the test lets it go.
 */

const N = 40;
const PAGE = 20; // the page's PAGE_SIZE (web/views/campaign-numbers.tsx)
/** Index 0 is the long call; every fifth from 1 is busy (retried once); the rest answer. */
const phoneAt = (i: number) => `7916${String(i).padStart(6, '0')}${i % 5 === 1 ? '2' : '0'}`;
const numbers = Array.from({ length: N }, (_, i) => phoneAt(i));
const LONG = numbers[0]!;
/** What the stand-in survey answers for the i-th number: q1 is 1 or 2, q2 is 1, 2 or 3. */
const answersOf = (phone: string) => {
  const i = numbers.indexOf(phone);
  return { q1: i % 3 === 0 ? '2' : '1', q2: String(1 + (i % 3)) };
};

describe.skipIf(browserSkipReason())('a campaign in the cockpit', { timeout: 60_000 }, () => {
  let w: CockpitWorld;
  let page: Page;
  let taskId = 0;
  let released = false;
  const q = <T>(sql: string, params: unknown[] = []) => w.env.db.all<T>(sql, params as never);
  const hash = (h: string) => page.evaluate((v) => void (location.hash = v), h);
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
  const firstRowId = () => page.$eval('table#numbers > tbody > tr[data-row]', (tr) => Number(tr.getAttribute('data-row')));

  /** Stores one answer per question as the real survey does, after holding the call (the long one: until released). */
  const runSurvey: RunSurvey = async (session, ctx) => {
    const hold = async (ms: number) => void (await session.clock.sleep(ms, session.signal));
    if (ctx.phone === LONG) while (!released && !session.ended) await hold(1000);
    else await hold(2000);
    if (session.ended) return { result: 'FAIL_POLLING', reason: 'hangup' };
    const write = createResultsWriter(w.env.db, session.clock, ctx);
    const a = answersOf(ctx.phone);
    await write('q1', a.q1, a.q1);
    await write('q2', a.q2, a.q2);
    return { result: 'SUCCESS_POLLING' };
  };

  beforeAll(async () => {
    w = await startCockpitWorld({ runSurvey });
    page = w.page;
    // the long call's customer stays on (scaled: 30 s real) until the survey lets go
    w.sim.world.setCustomer(LONG, { kind: 'answer', answerAfterMs: 1000, hangupAfterMs: 600_000 });
    const p = await w.api('POST', '/polling', {
      name: 'charted survey',
      questions: [
        { questionId: 'q1', questionText: 'Happy? 1 yes 2 no', press: [{ key: '1', action: 'answer', value: '1' }, { key: '2', action: 'answer', value: '2' }] },
        { questionId: 'q2', questionText: 'Score 1 to 3', press: ['1', '2', '3'].map((k) => ({ key: k, action: 'answer', value: k })) },
      ],
    });
    expect(p.result, JSON.stringify(p.messages)).toBe(true);
    // paused: the page is open before the first call
    const t = await w.api('POST', '/task', { name: 'charted campaign', innerNumType: 'polling', innerNum: String(p.data.id), maxCountChannels: 3, dialPrefix: '0', state: 2, maxAttempt: 2, tryInterval: 20, numbers });
    expect(t.result, JSON.stringify(t.messages)).toBe(true);
    taskId = Number(t.data.id);
  });
  afterAll(async () => {
    released = true;
    await w?.close();
  });

  it('opens the campaign, resumes it and shows results and live rows as calls end, without a reload', async () => {
    await w.login();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await hash(`#/campaign/${taskId}`);
    await page.waitForSelector(`#campaign[data-task="${taskId}"][data-state="paused"]`);
    await page.waitForSelector('table#numbers[data-loaded="yes"] tr[data-row]');
    expect(await page.$$eval('table#numbers > tbody > tr[data-row]', (rs) => rs.length)).toBe(PAGE);
    expect(await page.textContent('#campaign h2')).toBe('charted campaign');

    await page.click('#campaign button:has-text("Resume")');
    await page.waitForSelector(`#campaign[data-state="dialing"]`);
    await page.waitForSelector(`table#numbers tr.live[data-phone="${LONG}"]`, { timeout: 10_000 });
    // a result appears in the table while the page sits there
    await page.waitForSelector('table#numbers tr[data-row][data-result^="SUCCESS"], table#numbers tr[data-row][data-result^="FAIL"]', { timeout: 15_000 });
    await page.waitForFunction(() => Number(document.querySelector('#campaign .done-count')?.textContent) >= 3, undefined, { timeout: 15_000 });
    await shot('campaign-live.png');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });

  it('shows calls in flight with their phase and a ticking clock', async () => {
    await hash('#/calls');
    const row = `table#calls tr[data-task="${taskId}"][data-phone="${LONG}"]`;
    await page.waitForSelector(row, { timeout: 10_000 });
    expect(['answered', 'survey']).toContain(await page.getAttribute(row, 'data-phase'));
    expect((await page.textContent(`${row} .phase`))?.trim()).toMatch(/answered|in survey/);
    const s0 = Number(await page.getAttribute(`${row} .duration`, 'data-seconds'));
    await page.waitForFunction(([sel, s]) => Number(document.querySelector(`${sel} .duration`)?.getAttribute('data-seconds')) >= Number(s) + 2, [row, s0] as const, { timeout: 10_000 });
    const counted = await page.$$eval('#phase-counts [data-phase]', (els) => els.reduce((n, e) => n + Number(e.getAttribute('data-count')), 0));
    expect(counted).toBeGreaterThanOrEqual(1);
    await shot('calls-live.png');
    released = true;
  });

  it('pages forward and back, searches by phone and filters by result once the campaign is done', async () => {
    released = true;
    await until(async () => (await q<{ n: number }>('SELECT COUNT(*) AS n FROM task_results WHERE taskId = ? AND closeTime = 0', [taskId]))[0]!.n === 0 || undefined, 40_000, 'every attempt closed');
    const ids = (await q<{ id: number }>('SELECT id FROM task_results WHERE taskId = ? ORDER BY id', [taskId])).map((r) => Number(r.id));
    expect(ids.length).toBeGreaterThan(N); // busy numbers were tried twice
    await hash(`#/campaign/${taskId}`);
    await page.waitForSelector('table#numbers[data-loaded="yes"] tr[data-row]');
    await page.waitForFunction((n) => Number(document.querySelector('#campaign .done-count')?.textContent) === n, ids.length, { timeout: 10_000 });
    const total = await (await page.$('#numbers-total'))?.getAttribute('data-total'); // shown when the server counted
    if (total != null) expect(Number(total)).toBe(ids.length);
    expect(await firstRowId()).toBe(ids[0]);

    await page.click('#numbers-next');
    await page.waitForFunction((id) => document.querySelector('table#numbers > tbody > tr[data-row]')?.getAttribute('data-row') === String(id), ids[PAGE], { timeout: 5000 });
    expect(await page.getAttribute('#numbers-page', 'data-page')).toBe('2');
    await page.click('#numbers-next');
    await page.waitForFunction((id) => document.querySelector('table#numbers > tbody > tr[data-row]')?.getAttribute('data-row') === String(id), ids[2 * PAGE], { timeout: 5000 });
    expect(await page.isDisabled('#numbers-next')).toBe(ids.length <= 3 * PAGE);
    await page.click('#numbers-prev');
    await page.click('#numbers-prev');
    await page.waitForFunction((id) => document.querySelector('table#numbers > tbody > tr[data-row]')?.getAttribute('data-row') === String(id), ids[0], { timeout: 5000 });
    expect(await page.isDisabled('#numbers-prev')).toBe(true);

    const busy = phoneAt(1);
    await page.fill('#number-search', busy);
    await page.waitForFunction((ph) => {
      const rows = [...document.querySelectorAll('table#numbers > tbody > tr[data-row]')];
      return rows.length === 2 && rows.every((r) => r.getAttribute('data-phone') === ph);
    }, busy, { timeout: 5000 });
    await shot('campaign-search.png');
    await page.fill('#number-search', '');

    const byResult = await q<{ result: string; n: number }>('SELECT result, COUNT(*) AS n FROM task_results WHERE taskId = ? GROUP BY result ORDER BY n', [taskId]);
    const code = byResult.find((r) => r.result !== 'SUCCESS_POLLING')!;
    await page.selectOption('#number-filter', code.result);
    await page.waitForFunction(([c, n]) => {
      const rows = [...document.querySelectorAll('table#numbers > tbody > tr[data-row]')];
      return rows.length === Number(n) && rows.every((r) => r.getAttribute('data-result') === c);
    }, [code.result, Math.min(PAGE, Number(code.n))] as const, { timeout: 5000 });
    await shot('campaign-filtered.png');
    await page.selectOption('#number-filter', '');
  });

  it("opens a number's attempts with its answers", async () => {
    const phone = numbers[2]!;
    const a = answersOf(phone);
    await page.waitForSelector(`table#numbers tr[data-phone="${phone}"]`);
    await page.click(`table#numbers tr[data-phone="${phone}"] button.phone`);
    await page.waitForSelector(`#attempts[data-phone="${phone}"] tr[data-attempt="1"]`);
    expect(await page.textContent('#attempts tr[data-attempt="1"] .result')).toBe('SUCCESS_POLLING');
    expect(await page.getAttribute('#attempts li[data-question="q1"]', 'data-answer')).toBe(a.q1);
    expect(await page.getAttribute('#attempts li[data-question="q2"]', 'data-answer')).toBe(a.q2);
    await shot('campaign-attempts.png');
  });

  it('charts each question with the counts of the stored answers', async () => {
    const rows = await q<{ question: string; result: string; n: number }>(
      'SELECT questionCrmId AS question, result, COUNT(*) AS n FROM polling_results WHERE taskId = ? GROUP BY questionCrmId, result',
      [taskId],
    );
    for (const question of ['q1', 'q2']) {
      const want = Object.fromEntries(rows.filter((r) => r.question === question).map((r) => [r.result, Number(r.n)]));
      expect(Object.keys(want).length).toBeGreaterThan(1);
      const chart = `#answers .chart[data-question="${question}"]`;
      await page.waitForFunction(([sel, c]) => document.querySelector(sel)?.getAttribute('data-counts') === c, [chart, JSON.stringify(Object.fromEntries(Object.keys(want).sort().map((k) => [k, want[k]])))] as const, { timeout: 10_000 });
      // the SVG draws one bar per key, its value the count
      await page.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} svg line.ct-bar`).length === Number(n), [chart, Object.keys(want).length] as const, { timeout: 5000 });
      const drawn = await page.$$eval(`${chart} svg line.ct-bar`, (ls) => ls.map((l) => Number(l.getAttribute('ct:value'))));
      expect(drawn).toEqual(Object.keys(want).sort().map((k) => want[k]));
    }
    await page.$eval('#answers', (e) => e.scrollIntoView());
    await shot('campaign-charts.png');
  });

  it('shows an extension turning busy while its agent talks, and free again', async () => {
    w.sim.world.setAgent('202', { answerAfterMs: 500, hangupAfterMs: 40_000 }); // scaled: about 2 s real
    const t = await w.api('POST', '/task', { name: 'agent campaign', innerNumType: 'exten', innerNum: '202', maxCountChannels: 1, dialPrefix: '0', numbers: ['79170000010', '79170000020'] });
    expect(t.result, JSON.stringify(t.messages)).toBe(true);
    await hash('#/agents');
    const row = 'table#agents tr[data-target="202"]';
    await page.waitForSelector(`${row} .campaigns [data-task="${t.data.id}"]`, { timeout: 10_000 });
    await page.waitForSelector(`${row}[data-free="0"] .badge.busy`, { timeout: 15_000 });
    await shot('agents-busy.png');
    await page.waitForSelector(`${row}[data-free="1"] .badge.free`, { timeout: 15_000 });
    await shot('agents-free.png');
  });
});
