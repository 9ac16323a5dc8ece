import type { Hono } from 'hono';
import { deleteAudio, listAudio, saveAudio } from '../../services/audio/index.js';
import { fail } from '../../services/context.js';
import { serviceCtx, type ApiDeps, type RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';

export const audioDocs: RouteDoc[] = [
  { method: 'post', path: '/audio', summary: 'Upload an audio file (multipart, first file); its name is its id; same name replaces', multipart: true },
  { method: 'get', path: '/audio', summary: 'List uploaded audio [{id, name, path}]' },
  { method: 'delete', path: '/audio/{name}', summary: 'Delete an uploaded audio file and its conversions (idempotent)' },
];

export function audioRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);

  app.post('/audio', async (c) => {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      return sendOutcome(c, fail('error upload file: expected multipart/form-data with a file'));
    }
    // The first uploaded file, whatever the field name (as the original).
    let file: File | undefined;
    for (const [, v] of form.entries()) {
      if (typeof v !== 'string') {
        file = v;
        break;
      }
    }
    if (!file) return sendOutcome(c, fail('error upload file: file is empty'));
    const bytes = new Uint8Array(await file.arrayBuffer());
    return sendOutcome(c, await saveAudio(ctx, deps.audio, { name: file.name, bytes }));
  });

  app.get('/audio', (c) => sendEnvelope(c, true, listAudio(ctx)));

  app.delete('/audio/:name', async (c) => sendOutcome(c, await deleteAudio(ctx, c.req.param('name'))));
}
