import type { Hono } from 'hono';
import type { CockpitDeps } from './routes.js';

/** The cockpit's import / export and TTS preview endpoints (see api-types.ts). */
export function cockpitFileRoutes(_app: Hono, _deps: CockpitDeps): void {}
