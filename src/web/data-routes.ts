import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { CockpitError } from './api-types.js';
import { surveyAnswers } from './answers.js';
import { AttemptsQuery, attemptsOfNumber } from './attempts.js';
import { campaignSummaries, campaignSummary } from './campaign-summaries.js';
import { NumbersQuery, numbersPage } from './numbers.js';
import { CampaignPath, parseParams } from './query-params.js';
import type { CockpitDeps } from './routes.js';

const ListQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number from 1 to 1000')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'must be a whole number from 1 to 1000')
    .default(200),
});

const TASK = 'SELECT id, innerNumType, innerNum FROM tasks WHERE id = ?';

const bad = (c: Context, e: CockpitError) => c.json(e, 400);
const notFound = (c: Context, id: number) => c.json({ error: `campaign ${id} not found` } satisfies CockpitError, 404);

/** The cockpit's read-only endpoints (see api-types.ts for what each answers); the work is in the files imported. */
export function cockpitDataRoutes(app: Hono, deps: CockpitDeps): void {
  const { db } = deps.ctx;
  const now = () => deps.ctx.now();

  /** The :id of the path, answered 400 / 404 here when it names no task. */
  const task = async (c: Context) => {
    const p = parseParams(CampaignPath, { id: c.req.param('id') });
    if (!p.ok) return { res: bad(c, p.error) };
    const row = await db.get<{ id: number; innerNumType: string; innerNum: string }>(TASK, [p.value.id]);
    return row ? { task: { ...row, id: Number(row.id) } } : { res: notFound(c, p.value.id) };
  };

  app.get('/cockpit/api/campaigns', async (c) => {
    const q = parseParams(ListQuery, c.req.query());
    if (!q.ok) return bad(c, q.error);
    return c.json({ campaigns: await campaignSummaries(db, q.value.limit, now()) });
  });

  app.get('/cockpit/api/campaigns/:id', async (c) => {
    const p = parseParams(CampaignPath, { id: c.req.param('id') });
    if (!p.ok) return bad(c, p.error);
    const one = await campaignSummary(db, p.value.id, now());
    return one ? c.json(one) : notFound(c, p.value.id);
  });

  app.get('/cockpit/api/campaigns/:id/numbers', async (c) => {
    const q = parseParams(NumbersQuery, c.req.query());
    if (!q.ok) return bad(c, q.error);
    const t = await task(c);
    if (t.res) return t.res;
    return c.json(await numbersPage(db, t.task.id, q.value, now()));
  });

  app.get('/cockpit/api/campaigns/:id/attempts', async (c) => {
    const q = parseParams(AttemptsQuery, c.req.query());
    if (!q.ok) return bad(c, q.error);
    const t = await task(c);
    if (t.res) return t.res;
    return c.json(await attemptsOfNumber(db, t.task.id, q.value.phone));
  });

  app.get('/cockpit/api/campaigns/:id/answers', async (c) => {
    const t = await task(c);
    if (t.res) return t.res;
    return c.json(await surveyAnswers(db, t.task, now()));
  });
}
