import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { readJson } from '../api/body.js';
import { pathId } from '../api/fields.js';
import type { DialerControl } from '../ports.js';
import { taskById } from '../services/tasks/store.js';
import type { CockpitError, ExportFormat, ImportOutcome } from './api-types.js';
import { csvChunks } from './export-csv.js';
import { exportPages, exportPlan, exportRowCount, RESULT_FILTER_HELP, resultFilter } from './export-rows.js';
import { XLSX_MAX_ROWS, xlsxChunks } from './export-xlsx.js';
import { importNumbers } from './import-numbers.js';
import { receiveImport } from './import-receive.js';
import type { CockpitDeps } from './routes.js';
import { ttsPreview } from './tts-preview.js';

type Status = 400 | 404 | 413 | 415 | 500 | 502 | 503;
const refuse = (c: Context, status: Status, error: string, field?: string) => c.json<CockpitError>(field ? { error, field } : { error }, status);

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The cockpit's upload path. Its body is counted here as it streams, against config.http.maxUploadBytes, so the
 * app's body-limit middleware must treat it as it treats POST /audio and /upload-xls (not buffer it under the JSON cap).
 */
export const isCockpitUpload = (path: string) => /^\/cockpit\/api\/campaigns\/[^/]+\/import$/.test(path);

/**
 * The cockpit's import / export and TTS preview endpoints (see api-types.ts). `dialer`, when the cockpit is given
 * one, is told of imported numbers as POST /task tells it, so an idle open task starts dialing them at once.
 */
export function cockpitFileRoutes(app: Hono, deps: CockpitDeps & { dialer?: DialerControl }): void {
  const { ctx } = deps;

  app.post('/cockpit/api/campaigns/:id/import', async (c) => {
    const id = pathId(c.req.param('id'));
    if (id === null) return refuse(c, 400, `Campaign id "${c.req.param('id')}" must be a positive integer`, 'id');
    if (!(await taskById(ctx.db, id))) return refuse(c, 404, `Task ${id} not found`);
    const tmpRoot = join(ctx.config.dataDir, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    const dir = await mkdtemp(join(tmpRoot, 'import-'));
    try {
      const got = await receiveImport(c.req.raw, dir, ctx.config.http.maxUploadBytes);
      if (!got.ok) return refuse(c, got.status, got.error, 'file');
      const out = await importNumbers(ctx, id, got.kind === 'csv' ? { kind: 'csv', path: got.path } : { kind: 'sheet', rows: got.rows });
      if (!out.ok) {
        if (out.status === 404) return refuse(c, 404, out.error);
        return c.json<CockpitError & ImportOutcome>({ error: out.error, field: 'file', added: 0, duplicates: 0, errors: out.errors ?? [out.error] }, out.status);
      }
      if (out.outcome.added) {
        deps.dialer?.tasksChanged([id]);
        // open pages count the new numbers now (task.progress is counted again on a task's state news), not at its next call
        const state = await ctx.db.value<number>('SELECT state FROM tasks WHERE id = ?', [id]);
        if (state != null) deps.events.publish({ type: 'task.state', taskId: id, state: Number(state) });
      }
      return c.json<ImportOutcome>(out.outcome);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.get('/cockpit/api/campaigns/:id/export', async (c) => {
    const id = pathId(c.req.param('id'));
    if (id === null) return refuse(c, 400, `Campaign id "${c.req.param('id')}" must be a positive integer`, 'id');
    const raw = c.req.query('format') ?? 'csv';
    if (raw !== 'csv' && raw !== 'xlsx') return refuse(c, 400, `Parameter "format" must be csv or xlsx, not "${raw.slice(0, 40)}"`, 'format');
    const format: ExportFormat = raw;
    const filter = resultFilter(c.req.query('result'));
    if (!filter) return refuse(c, 400, `Parameter "result" ${RESULT_FILTER_HELP}`, 'result');
    const task = await taskById(ctx.db, id);
    if (!task) return refuse(c, 404, `Task ${id} not found`);
    const plan = await exportPlan(ctx.db, task, filter);
    if (format === 'xlsx') {
      const rows = await exportRowCount(ctx.db, plan);
      if (rows >= XLSX_MAX_ROWS) {
        return refuse(c, 400, `The export has ${rows} rows; an XLSX sheet holds ${XLSX_MAX_ROWS - 1} besides its header: use format=csv`, 'format');
      }
    }
    const pages = exportPages(ctx.db, plan);
    const chunks =
      format === 'csv'
        ? csvChunks(plan.header, pages)
        : xlsxChunks(plan.header, pages, () => ctx.log.warn({ taskId: id }, 'export cut at the XLSX row limit (rows were added while it was written)'));
    return c.body(streamOf(chunks, (err) => ctx.log.error({ err, taskId: id, format }, 'export failed while streaming')), 200, {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE,
      'content-disposition': `attachment; filename="task-${id}-results.${format}"`,
      'cache-control': 'no-store',
    });
  });

  app.post('/cockpit/api/tts-preview', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return refuse(c, 400, 'The request body must be JSON {text, lang?}', 'text');
    const out = await ttsPreview(deps.speech, body.value);
    if (!out.ok) return c.json(out.body, out.status);
    return c.body(new Uint8Array(out.wav), 200, { 'content-type': 'audio/wav', 'cache-control': 'no-store' });
  });
}

/**
 * Bytes pulled from `chunks` only as the client reads them (one chunk queued at most): memory stays one page
 * however big the export. An error mid-way can only cut the download (the status has gone out): it is logged.
 */
function streamOf(chunks: AsyncGenerator<Uint8Array>, onError: (err: unknown) => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (err) {
        onError(err);
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
