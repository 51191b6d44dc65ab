import type { Engine } from '../engine.js';
import { isKeptNumber } from '../jsonrpc/exact-numbers.js';
import { blobReadings, looseBlobText, readingOf } from '../output/binary-fields.js';
import { inspectServerMessage } from '../output/index.js';
import type { QuarantineStatus } from '../quarantine/quarantine-store.js';
import { HttpError } from './http-util.js';

type Handler = (ctx: { engine: Engine; params: string[]; url: URL }) => unknown;

/**
 * The held result with every finding masked: enough to judge it, without echoing the secret.
 * Masked by the output stage's own pass, so whatever it found (in keys, across text items,
 * inside a text resource's base64) is masked here too; text blobs are shown decoded, since
 * their base64 is no mask at all.
 */
export function maskedPayload(payload: string): unknown {
  return blobsDecoded(resultsOf(inspectServerMessage(payload, JSON.parse(payload)).redacted));
}

type Answer = { result?: unknown; error?: unknown } | null;

/** A held answer's result; of a batch answer, held whole, each member's result (or error) in order. */
function resultsOf(answer: unknown): unknown {
  return Array.isArray(answer) ? answer.map((m: Answer) => m?.result ?? m?.error ?? null) : (answer as Answer)?.result;
}

const DECODED_KEY = 'blob (shown decoded)';

function blobsDecoded(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(blobsDecoded);
  // A number kept as the server wrote it (`1.0`, digits past 2^53): copied as an object it would show as {"rawJSON": …}.
  if (value === null || typeof value !== 'object' || isKeptNumber(value)) return value;
  const o = value as Record<string, unknown>;
  const text = typeof o.blob === 'string' ? textOfBlob(o, o.blob) : null;
  return Object.fromEntries(Object.keys(o).map((k) => (k === 'blob' && text !== null ? [DECODED_KEY, text] : [k, blobsDecoded(o[k])])));
}

function textOfBlob(parent: Record<string, unknown>, blob: string): string | null {
  const reading = readingOf('blob', parent, blob);
  if (reading === 'base64-text') return blobReadings(blob, parent)[0]?.text ?? null;
  return reading === 'loose-base64-text' ? looseBlobText(blob) : null;
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
    return { ...shown.item, result: shown.payload === null ? null : raw ? resultsOf(JSON.parse(shown.payload)) : maskedPayload(shown.payload) };
  }],
  ['POST', /^\/api\/quarantine\/([^/]+)\/(release|drop)$/, async ({ engine, params }) => {
    const done = params[1] === 'release' ? await engine.quarantine.release(params[0]!, 'control-api') : engine.quarantine.drop(params[0]!, 'control-api');
    if (!done) throw new HttpError(404, `no held result '${params[0]}' to ${params[1]}`);
    return { id: params[0], status: params[1] === 'release' ? 'released' : 'dropped' };
  }],
];
