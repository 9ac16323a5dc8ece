import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { ARTIFACTS, startCockpitWorld, type CockpitWorld } from './cockpit-world.js';
import { pcmToWav } from '../../src/media/wav.js';

/**
 * The cockpit's editors in a real browser: an operator builds a survey (two questions: one previewed through
 * TTS, one with an uploaded audio file), a campaign for it from pasted numbers (a form error and an API refusal
 * first, each on its field), sees it dialing, imports a CSV into it and exports its results as CSV and XLSX,
 * creates a campaign from a file alone (created paused, imported, then started), and keeps the do-not-call list.
 * Screenshots in test-artifacts/.
 */

/** A short 8 kHz mono 16-bit wav: what the fake TTS engine "voices" and the audio upload sends. */
const wav = (samples = 800): Buffer => pcmToWav(Buffer.alloc(samples * 2));

/** RFC 4180 enough for the export: quoted cells with doubled quotes, CRLF rows, a BOM first. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n') row.push(cell.replace(/\r$/, '')), rows.push(row), (row = []), (cell = '');
    else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

/** Each test drives several pages and round trips: a minute, for a loaded machine (vitest's default is 30 s). */
const SLOW = 60_000;

const phones = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

describe.skipIf(browserSkipReason())('the cockpit editors in a browser', () => {
  let w: CockpitWorld;
  let page: Page;
  let dir = '';
  let pollingId = '';
  let taskId = 0;
  const pasted = phones('7917100', 5);
  const hash = (h: string) => page.evaluate((v) => void (location.hash = v), h);
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
  const hashId = async (re: RegExp) => {
    await page.waitForFunction((src) => new RegExp(src).test(location.hash), re.source);
    return re.exec(await page.evaluate(() => location.hash))![1]!;
  };
  const fieldErrors = (name: string) => page.$$eval(`[data-field="${name}"] .field-err`, (els) => els.map((e) => e.textContent ?? ''));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'editor-browser-'));
    const voiced = join(dir, 'voiced.wav');
    writeFileSync(voiced, wav());
    w = await startCockpitWorld({ speech: { synthesize: async () => ({ ok: true, wavPath: voiced }) } });
    page = w.page;
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await w.login();
  });
  afterAll(async () => {
    await w?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds a survey: a previewed text, an uploaded audio file, a refused timeout on its field', async () => {
    await hash('#/polling/new');
    await page.waitForSelector('form#polling-editor');
    await page.fill('input[name=name]', 'browser-made survey');
    await page.fill('textarea[name="questions[0].questionText"]', 'Press 1 if you agree');
    await page.click('[data-question="0"] button.preview');
    // the engine's wav, played from a blob the page made of the answer
    await page.waitForSelector('[data-question="0"] audio[src^="blob:"]', { state: 'attached' });
    // a server without an engine answers 503: said so by the button
    await page.route('**/cockpit/api/tts-preview', (r) => r.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"Text-to-speech is not available on this server"}' }));
    await page.click('[data-question="0"] button.preview');
    await page.waitForSelector('[data-question="0"] .tts-preview .field-err:has-text("no TTS engine configured")');
    await page.unroute('**/cockpit/api/tts-preview');

    await page.click('button.add-question');
    await page.waitForSelector('[data-question="1"]');
    await page.setInputFiles('input[name="questions[1].questionFile-upload"]', { name: 'greeting.wav', mimeType: 'audio/wav', buffer: wav(400) });
    await page.waitForFunction(() => (document.querySelector('select[name="questions[1].questionFile"]') as HTMLSelectElement | null)?.value.endsWith('.wav'));
    expect(await page.$eval('select[name="questions[1].questionFile"]', (s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe('greeting.wav');

    // what the API would refuse is refused on the field, before anything is sent
    await page.fill('input[name="questions[0].timeout"]', '0');
    await page.click('form#polling-editor button[type=submit]');
    await page.waitForSelector('[data-field="questions[0].timeout"] .field-err');
    expect((await fieldErrors('questions[0].timeout')).join()).toContain('from 1 to 600');
    expect((await w.api('GET', '/polling')).data.results).toEqual([]);
    await page.fill('input[name="questions[0].timeout"]', '7');

    await page.click('form#polling-editor button[type=submit]');
    pollingId = await hashId(/^#\/polling\/(\d+)$/);
    await page.waitForSelector('form#polling-editor .notice:has-text("Saved.")');
    await shot('editor-survey.png');

    const saved = (await w.api('GET', `/polling/${pollingId}`)).data;
    expect(saved.name).toBe('browser-made survey');
    expect(saved.questions.map((q: any) => [q.questionId, q.questionText, q.timeout, q.nextQuestion])).toEqual([
      ['q1', 'Press 1 if you agree', '7', 'q2'],
      ['q2', null, '5', null],
    ]);
    expect(saved.questions[1].questionFile).toMatch(/\.wav$/);
    expect(saved.questions[0].press).toEqual([{ key: '1', action: 'answer', value: null, valueOptions: null, nextQuestion: null }]);
  }, SLOW);

  it('creates a campaign from pasted numbers: a form error and an API refusal on their fields, then dialing', async () => {
    await hash('#/task/new');
    await page.waitForSelector('form#task-editor');
    await page.waitForSelector(`select[name=pollingId] option[value="${pollingId}"]`, { state: 'attached' });
    await page.fill('input[name=name]', 'browser-made campaign');
    await page.selectOption('select[name=pollingId]', pollingId);
    await page.fill('input[name=maxCountChannels]', '0');
    await page.fill('textarea[name=numbers]', [pasted[0], '7900abc', ...pasted.slice(1)].join('\n'));
    await page.click('form#task-editor button[type=submit]');
    await page.waitForSelector('[data-field=maxCountChannels] .field-err');
    expect((await fieldErrors('maxCountChannels')).join()).toContain('from 1 to 10000');
    await shot('editor-task-error.png');

    // the API's own refusal: a number it cannot read, named by the line it was pasted on; nothing saved
    await page.fill('input[name=maxCountChannels]', '2');
    await page.click('form#task-editor button[type=submit]');
    await page.waitForSelector('[data-field=numbers] .field-err');
    expect((await fieldErrors('numbers')).join()).toMatch(/^line 2: Number "7900abc"/);
    expect(await page.textContent('form#task-editor .notice.bad')).toContain('Nothing was saved');
    expect((await w.api('GET', '/task')).data.results).toEqual([]);

    await page.fill('textarea[name=numbers]', pasted.map((p, i) => (i === 0 ? `${p},client-1` : p)).join('\n'));
    await page.click('form#task-editor button[type=submit]');
    taskId = Number(await hashId(/^#\/campaign\/(\d+)$/));
    const t = (await w.api('GET', `/task/${taskId}`)).data;
    expect([t.name, t.innerNumType, t.innerNum, t.maxCountChannels, t.state]).toEqual(['browser-made campaign', 'polling', pollingId, '2', '0']);
    expect(t.results.map((r: any) => r.phone).sort()).toEqual([...pasted].sort());
    expect(t.results.find((r: any) => r.phone === pasted[0]).clientId).toBe('client-1');

    // dialing: it is in the campaigns list, and the (fake) survey ends its calls
    await hash('#/');
    const row = `tr[data-task="${taskId}"]`;
    await page.waitForSelector(row);
    await page.waitForFunction((sel) => Number(document.querySelector(`${sel} .done-count`)?.textContent) >= 1, row, { timeout: 20_000 });
    await shot('editor-task-dialing.png');
  }, SLOW);

  it('imports a CSV into the campaign, exports its results as CSV and XLSX, and saves a change', async () => {
    await hash(`#/task/${taskId}/edit`);
    await page.waitForSelector(`form#task-editor .campaign-files[data-task="${taskId}"]`);
    expect(await page.inputValue('input[name=maxCountChannels]')).toBe('2');

    const added = phones('7917200', 3);
    const csv = ['phone,clientId,city', ...added.map((p, i) => `${p},c${i},Omsk`), `${pasted[1]},,Omsk`].join('\r\n');
    await page.setInputFiles('input[name=import-file]', { name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('.campaign-files button.import');
    await page.waitForSelector('.campaign-files .import-outcome');
    expect(await page.textContent('.campaign-files .import-outcome .added')).toBe('3');
    expect(await page.textContent('.campaign-files .import-outcome .duplicates')).toBe('1');
    const inTask = (await w.api('GET', `/task/${taskId}`)).data.results.map((r: any) => r.phone);
    for (const p of added) expect(inTask).toContain(p);
    await shot('editor-import.png');

    // a file with a bad row imports nothing and names the line
    await page.setInputFiles('input[name=import-file]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n79172009999\nnot-a-number\n') });
    await page.click('.campaign-files button.import');
    await page.waitForSelector('.campaign-files .notice.bad');
    expect(await page.textContent('.campaign-files .notice.bad')).toMatch(/Nothing imported.*Line 3/s);
    expect((await w.api('GET', `/task/${taskId}`)).data.results.map((r: any) => r.phone)).not.toContain('79172009999');

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('.campaign-files a.export-csv')]);
    const rows = parseCsv(readFileSync(await csvDownload.path()).toString('utf8'));
    const header = rows[0]!;
    expect(header).toContain('phone');
    const phoneCol = header.indexOf('phone');
    const exported = rows.slice(1).map((r) => r[phoneCol]);
    for (const p of [...pasted, ...added]) expect(exported).toContain(p);
    expect(rows.slice(1).every((r) => r.length === header.length)).toBe(true);

    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.click('.campaign-files a.export-xlsx')]);
    const xlsx = readFileSync(await xlsxDownload.path());
    expect(xlsx.subarray(0, 2).toString('latin1')).toBe('PK');

    // a change is a PUT of what changed; then the campaign's page
    await page.fill('input[name=maxCountChannels]', '3');
    await page.click('form#task-editor details:has(#retry-rules) summary'); // closed while no rule is set
    await page.fill('input[name="retryRules.busy.delay"]', '300');
    await page.fill('input[name="retryRules.busy.max"]', '4');
    await page.click('form#task-editor button[type=submit]');
    await page.waitForFunction((id) => location.hash === `#/campaign/${id}`, taskId);
    const t = (await w.api('GET', `/task/${taskId}`)).data;
    expect([t.maxCountChannels, t.retryRules, t.name]).toEqual(['3', '{"busy":{"delay":300,"max":4}}', 'browser-made campaign']);
  }, SLOW);

  it('creates a campaign from a file alone: created paused, the file imported, then dialing', async () => {
    await hash('#/task/new');
    await page.waitForSelector(`select[name=pollingId] option[value="${pollingId}"]`, { state: 'attached' });
    await page.fill('input[name=name]', 'from a file');
    await page.selectOption('select[name=pollingId]', pollingId);
    const fromFile = phones('7917300', 4);
    await page.setInputFiles('form#task-editor input[name=file]', { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(`phone\n${fromFile.join('\n')}\n`) });
    await page.click('form#task-editor button[type=submit]');
    const id = Number(await hashId(/^#\/campaign\/(\d+)$/));
    const t = (await w.api('GET', `/task/${id}`)).data;
    expect(['0', '1']).toContain(t.state); // started (the dialer closes it once its numbers are done)
    expect(t.results.map((r: any) => r.phone).sort()).toEqual(fromFile);
  }, SLOW);

  it("says so when a new campaign's file is refused: the task exists, paused, and the file can be imported again", async () => {
    await hash('#/task/new');
    await page.waitForSelector(`select[name=pollingId] option[value="${pollingId}"]`, { state: 'attached' });
    await page.fill('input[name=name]', 'bad file');
    await page.selectOption('select[name=pollingId]', pollingId);
    await page.setInputFiles('form#task-editor input[name=file]', { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n79174000001\nnobody\n') });
    await page.click('form#task-editor button[type=submit]');
    const notice = '#task-editor .half-done';
    await page.waitForSelector(`${notice} .notice.bad:has-text("was created, paused, without numbers")`);
    // the form is gone: "Create" cannot make a second task
    expect(await page.$('form#task-editor button[type=submit]')).toBeNull();
    const id = Number(/Task #(\d+)/.exec((await page.textContent(notice)) ?? '')?.[1]);
    expect(await page.textContent(notice)).toContain('Line 3');
    expect(await page.evaluate(() => location.hash)).toBe('#/task/new');
    const t = (await w.api('GET', `/task/${id}`)).data;
    expect([t.name, t.state, t.results.length]).toEqual(['bad file', '2', 0]);
    await shot('editor-task-half-done.png');

    await page.setInputFiles(`${notice} .campaign-files input[name=import-file]`, { name: 'fixed.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n79174000001\n') });
    await page.click(`${notice} .campaign-files button.import`);
    await page.waitForSelector(`${notice} .campaign-files .import-outcome`);
    expect((await w.api('GET', `/task/${id}`)).data.results.map((r: any) => r.phone)).toEqual(['79174000001']);
    await page.click(`${notice} button.start`);
    await page.waitForSelector(`${notice} .started`);
    // dialing, or already done with its one number and closed by the dialer: not paused
    expect(['0', '1']).toContain((await w.api('GET', `/task/${id}`)).data.state);
  }, SLOW);

  it('keeps the do-not-call list: add a number, import a CSV (a bad one names its line), remove', async () => {
    await hash('#/dnc');
    await page.waitForSelector('table#dnc-list');
    await page.fill('form#dnc-add textarea[name=numbers]', '7 918 000-00-01');
    await page.fill('form#dnc-add input[name=reason]', 'asked not to be called');
    await page.click('form#dnc-add button[type=submit]');
    await page.waitForSelector('form#dnc-add .dnc-added');
    await page.waitForSelector('table#dnc-list tr[data-phone="79180000001"][data-task="0"]');

    await page.setInputFiles('form#dnc-import input[name=file]', { name: 'stop.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n79180000002\n79180000003\n') });
    await page.fill('form#dnc-import input[name=taskId]', String(taskId));
    await page.click('form#dnc-import button[type=submit]');
    await page.waitForSelector('form#dnc-import .dnc-import-outcome');
    expect(await page.textContent('form#dnc-import .dnc-import-outcome')).toContain('2 rows: 2 added');
    await page.waitForSelector(`table#dnc-list tr[data-phone="79180000003"][data-task="${taskId}"]`);

    await page.setInputFiles('form#dnc-import input[name=file]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n79180000004\n7918OOO0005\n') });
    await page.click('form#dnc-import button[type=submit]');
    await page.waitForSelector('form#dnc-import .notice.bad');
    expect(await page.textContent('form#dnc-import .notice.bad')).toMatch(/Nothing imported.*Line 3/s);
    await shot('editor-dnc.png');

    await page.click('table#dnc-list tr[data-phone="79180000001"] button');
    await page.waitForSelector('table#dnc-list tr[data-phone="79180000001"]', { state: 'detached' });
    const listed = (await w.api('GET', '/dnc')).data.results.map((r: any) => [r.phone, r.taskId]);
    expect(listed).toEqual([
      ['79180000002', String(taskId)],
      ['79180000003', String(taskId)],
    ]);
  }, SLOW);
});
