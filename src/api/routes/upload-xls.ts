import type { Hono } from 'hono';
import { parseXlsUpload, xlsMaxBody } from '../../services/xls/index.js';
import { receiveSpreadsheet } from '../../services/xls/receive.js';
import type { ApiDeps, RouteDoc } from '../deps.js';
import { sendEnvelope } from '../envelope.js';

export const uploadXlsDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/upload-xls',
    summary:
      'Read the phones of a spreadsheet (.xls or .xlsx, base64 as 1C sends it, or raw; multipart first file or the body itself): ' +
      'answers a bare array [{number, clientId}], one client per row, cells A..Z, up to the first empty row; ' +
      'refusals are the envelope with 400 (not a spreadsheet, broken), 413 (too large) or 503 (parser busy)',
    multipart: true,
  },
];

export function uploadXlsRoutes(app: Hono, deps: ApiDeps): void {
  app.post('/upload-xls', async (c) => {
    const got = await receiveSpreadsheet(c.req.raw, xlsMaxBody(deps.config.http.maxUploadBytes));
    if (!got.ok) return sendEnvelope(c, false, [], [got.message], got.tooLarge ? 413 : 400);
    const out = await parseXlsUpload(got.bytes);
    if (!out.ok) {
      deps.log.warn({ status: out.status, message: out.message, bytes: got.bytes.length }, 'spreadsheet upload refused');
      return sendEnvelope(c, false, [], [out.message], out.status);
    }
    // Bare array, not the envelope: the original answered the list itself and 1C reads it as one.
    return c.json(out.numbers);
  });
}
