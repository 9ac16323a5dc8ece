import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Hono } from 'hono';
import { z } from 'zod';
import { fail } from '../../services/context.js';
import { addDnc, checkDncTask, importDncCsv, listDnc, removeDnc } from '../../services/dnc/index.js';
import { readBody, validate } from '../body.js';
import { serviceCtx, type ApiDeps, type RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';
import { hasNoNul, intField, NO_NUL } from '../fields.js';
import { receiveFirstFile } from '../multipart-file.js';

/** The do-not-call list (ours; docs/api.md "Do-not-call list"). taskId 0 or omitted = the global list. */

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const taskIdField = z.preprocess(blankToUndefined, intField(0, Number.MAX_SAFE_INTEGER)).describe('0 or omitted = the global list; else a task id');
const reasonField = z
  .string({ error: 'must be a string' })
  .max(200, { error: 'must be at most 200 characters' })
  .refine(hasNoNul, NO_NUL)
  .nullish()
  .transform((v) => (v ?? '').trim());

export const DncListQuery = z.object({
  taskId: taskIdField,
  phone: z.preprocess(blankToUndefined, z.string().optional()).describe('matched on its last 10 digits'),
  offset: z.preprocess(blankToUndefined, intField(0, Number.MAX_SAFE_INTEGER).optional()).describe('keyset: entries with id > offset'),
  limit: z.preprocess(blankToUndefined, intField(1, 10_000).optional()).describe('default 1000'),
});

export const DncAddBody = z.object({
  numbers: z.array(z.unknown(), { error: 'must be an array of phone numbers' }).describe('numbers to list, as task numbers (strings or numbers)'),
  taskId: taskIdField,
  reason: reasonField.describe('stored with each number (at most 200 characters)'),
});

export const DncTaskQuery = z.object({ taskId: taskIdField });
export const DncImportQuery = z.object({ taskId: taskIdField, reason: z.preprocess(blankToUndefined, reasonField) });

export const dncDocs: RouteDoc[] = [
  { method: 'get', path: '/dnc', summary: 'Do-not-call entries (ours): taskId filter (0 = global), phone (last 10 digits), keyset offset, limit', query: DncListQuery },
  { method: 'post', path: '/dnc', summary: 'Add numbers to the global list (taskId 0/omitted) or a task\'s; all valid or nothing written', body: DncAddBody },
  { method: 'delete', path: '/dnc/{phone}', summary: 'Remove a number from the global list (taskId 0/omitted) or a task\'s', query: DncTaskQuery },
  {
    method: 'post',
    path: '/dnc/import',
    summary: 'Import a CSV of numbers (raw body or multipart, first file); a bad row imports nothing and is named by line number',
    query: DncImportQuery,
  },
];

export function dncRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);

  app.get('/dnc', async (c) => {
    const q = validate(DncListQuery, c.req.query());
    if (!q.ok) return sendOutcome(c, fail(q.messages));
    return sendOutcome(c, await listDnc(ctx, q.value));
  });

  app.post('/dnc', async (c) => {
    const body = await readBody(c, DncAddBody);
    if (!body.ok) return sendOutcome(c, fail(body.messages));
    return sendOutcome(c, await addDnc(ctx, { numbers: body.value.numbers, taskId: body.value.taskId ?? 0, reason: body.value.reason }));
  });

  app.delete('/dnc/:phone', async (c) => {
    const q = validate(DncTaskQuery, c.req.query());
    if (!q.ok) return sendOutcome(c, fail(q.messages));
    return sendOutcome(c, await removeDnc(ctx, c.req.param('phone'), q.value.taskId ?? 0));
  });

  app.post('/dnc/import', async (c) => {
    const q = validate(DncImportQuery, c.req.query());
    if (!q.ok) return sendOutcome(c, fail(q.messages));
    const taskId = q.value.taskId ?? 0;
    const taskErr = await checkDncTask(ctx, taskId);
    if (taskErr) return sendOutcome(c, fail(taskErr));
    const opts = { taskId, reason: q.value.reason };
    const req = c.req.raw;
    if (!/^multipart\/form-data\b/i.test(req.headers.get('content-type') ?? '')) {
      if (!req.body) return sendOutcome(c, fail('Nothing imported: the request has no CSV body'));
      // streamed as it arrives: a million rows are never in memory at once
      return sendOutcome(c, await importDncCsv(ctx, Readable.fromWeb(req.body as WebReadableStream<Uint8Array>), opts));
    }
    const tmpRoot = join(deps.config.dataDir, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    const dir = await mkdtemp(join(tmpRoot, 'dnc-upload-'));
    try {
      const max = deps.config.http.maxUploadBytes;
      const file = await receiveFirstFile(req, { tempPath: async () => join(dir, 'upload.csv'), checkName: () => null, maxBytes: max });
      if (!file.ok) return sendEnvelope(c, false, [], [file.message], file.tooLarge ? 413 : file.serverFault ? 500 : 200);
      return sendOutcome(c, await importDncCsv(ctx, createReadStream(file.path), opts));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
