import { z } from 'zod';
import { BASE, type RouteDoc } from './deps.js';

/** /openapi.json built from the zod schemas the handlers validate with, so the two never drift. */
export function buildOpenApi(docs: readonly RouteDoc[], version: string) {
  const envelope = {
    type: 'object',
    properties: {
      result: { type: 'boolean' },
      data: {},
      messages: { type: 'array', items: { type: 'string' } },
      function: { type: 'string' },
      processor: { type: 'string' },
      pid: { type: 'integer' },
    },
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of docs) {
    const path = d.absolute || d.path.startsWith('/admin-cabinet') || d.path === '/health' || d.path === '/test' ? d.path : BASE + d.path;
    const params = [...d.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: m[1] === 'id' ? 'integer' : m[1] === 'changeTime' ? 'number' : 'string' },
    }));
    if (d.query) {
      const js = z.toJSONSchema(d.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
      for (const [name, schema] of Object.entries(js.properties ?? {})) params.push({ name, in: 'query', required: false, schema } as never);
    }
    for (const h of d.headers ?? []) params.push({ name: h.name, in: 'header', required: false, description: h.description, schema: { type: 'string' } } as never);
    const ok = d.response
      ? { description: d.response.description, content: { [d.response.contentType]: { schema: { type: 'string' } } } }
      : { description: 'Envelope; result:false with messages for logical errors', content: { 'application/json': { schema: envelope } } };
    const op: Record<string, unknown> = {
      summary: d.summary,
      parameters: params.length ? params : undefined,
      responses: {
        '200': ok,
        '401': { description: 'Not authenticated (not loopback, no session cookie, no Bearer token)' },
      },
    };
    if (d.body) {
      const schema = z.toJSONSchema(d.body, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });
      op.requestBody = { required: true, content: { 'application/json': { schema } } };
    }
    if (d.multipart) {
      op.requestBody = {
        required: true,
        content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } },
      };
    }
    (paths[path] ??= {})[d.method] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'autodialer: ModuleAutoDialer v1 compatible API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'autodialer_session' } } },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
