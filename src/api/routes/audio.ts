import type { Hono } from 'hono';
import { audioTempPath, checkAudioName, deleteAudio, listAudio, saveAudio } from '../../services/audio/index.js';
import { v1IdRow } from '../../services/results/v1.js';
import { serviceCtx, type ApiDeps, type RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';
import { receiveFirstFile } from '../multipart-file.js';

export const audioDocs: RouteDoc[] = [
  { method: 'post', path: '/audio', summary: 'Upload an audio file (multipart, first file); its name is its id; same name replaces', multipart: true },
  { method: 'get', path: '/audio', summary: 'List uploaded audio [{id, name, path}]' },
  { method: 'delete', path: '/audio/{name}', summary: 'Delete an uploaded audio file and its conversions (idempotent)' },
];

export function audioRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);

  app.post('/audio', async (c) => {
    const max = deps.config.http.maxUploadBytes;
    const file = await receiveFirstFile(c.req.raw, { tempPath: (name) => audioTempPath(ctx, name), checkName: checkAudioName, maxBytes: max });
    if (!file.ok) {
      if (file.serverFault) deps.log.error({ message: file.message }, 'audio upload not stored');
      const status = file.tooLarge ? 413 : file.serverFault ? 500 : 200;
      return sendEnvelope(c, false, [], [file.message], status);
    }
    return sendOutcome(c, await saveAudio(ctx, deps.audio, file));
  });

  app.get('/audio', async (c) => sendEnvelope(c, true, (await listAudio(ctx)).map(v1IdRow)));

  app.delete('/audio/:name', async (c) => sendOutcome(c, await deleteAudio(ctx, c.req.param('name'))));
}
