/** The route table is the single source for the HTTP router and the swagger declarations. */
import type { SimContext } from '../context.js';

export interface ParamDef {
  name: string;
  in: 'path' | 'query' | 'body';
  type: string;
  required: boolean;
  multiple: boolean;
}

export interface HandlerInput {
  path: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export interface RouteDef {
  resource: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  nickname: string;
  type: string;
  params: ParamDef[];
  handler: (ctx: SimContext, input: HandlerInput) => Reply;
}

/** Parameter shorthand: "name" optional query, "name!" required query, "{name}" path, "$name" JSON body. */
export function params(...specs: string[]): ParamDef[] {
  return specs.map((s) => {
    if (s.startsWith('{')) return { name: s.slice(1, -1), in: 'path', type: 'string', required: true, multiple: false };
    if (s.startsWith('$')) return { name: s.slice(1), in: 'body', type: 'containers', required: false, multiple: false };
    const flags = /[!*]*$/.exec(s)![0];
    const required = flags.includes('!');
    const multiple = flags.includes('*');
    const name = s.slice(0, s.length - flags.length);
    return { name, in: 'query', type: 'string', required, multiple };
  });
}

export function route(
  resource: string,
  method: RouteDef['method'],
  path: string,
  nickname: string,
  type: string,
  p: ParamDef[],
  handler: RouteDef['handler'],
): RouteDef {
  const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const declared = new Set(p.map((x) => x.name));
  const all = [...params(...pathParams.filter((n) => !declared.has(n)).map((n) => `{${n}}`)), ...p];
  return { resource, method, path, nickname, type, params: all, handler };
}

export const ok = (body?: unknown): Reply => (body === undefined ? { status: 204 } : { status: 200, body });
export const noContent = (): Reply => ({ status: 204 });
