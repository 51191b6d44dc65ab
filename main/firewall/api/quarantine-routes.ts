import type { Engine } from '../engine.js';
import { detect, redactText } from '../output/index.js';
import type { QuarantineStatus } from '../quarantine/quarantine-store.js';
import { HttpError } from './http-util.js';

type Handler = (ctx: { engine: Engine; params: string[]; url: URL }) => unknown;

/** The held result with every finding masked: enough to judge it, without echoing the secret. */
export function maskedPayload(payload: string): unknown {
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return redactText(value, detect(value));
    if (Array.isArray(value)) return value.map(mask);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
    return value;
  };
  return mask((JSON.parse(payload) as { result?: unknown }).result);
}

const STATUSES: QuarantineStatus[] = ['held', 'released', 'delivered', 'dropped'];

export const QUARANTINE_ROUTES: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  ['GET', /^\/api\/quarantine$/, ({ engine, url }) => {
    const status = url.searchParams.get('status') as QuarantineStatus | null;
    if (status && !STATUSES.includes(status)) throw new HttpError(400, `status must be one of ${STATUSES.join(', ')}`);
    return engine.quarantine.list(status ?? undefined);
  }],
  ['GET', /^\/api\/quarantine\/([^/]+)$/, async ({ engine, params, url }) => {
    // A result that no longer decrypts throws QuarantineUnreadableError: 409 with the store's advice (httpStatusOf).
    const shown = await engine.quarantine.show(params[0]!);
    if (!shown) throw new HttpError(404, `no quarantined result '${params[0]}'`);
    const raw = url.searchParams.get('raw') === '1';
    return { ...shown.item, result: shown.payload === null ? null : raw ? (JSON.parse(shown.payload) as { result?: unknown }).result : maskedPayload(shown.payload) };
  }],
  ['POST', /^\/api\/quarantine\/([^/]+)\/(release|drop)$/, async ({ engine, params }) => {
    const done = params[1] === 'release' ? await engine.quarantine.release(params[0]!, 'control-api') : engine.quarantine.drop(params[0]!, 'control-api');
    if (!done) throw new HttpError(404, `no held result '${params[0]}' to ${params[1]}`);
    return { id: params[0], status: params[1] === 'release' ? 'released' : 'dropped' };
  }],
];
