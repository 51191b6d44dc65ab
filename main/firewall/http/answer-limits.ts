import { MAX_MESSAGE_BYTES } from '../proxy/oversize.js';

/**
 * The shim's bound (proxy/oversize.ts), for remote answers: every message is held whole to
 * be policed, so a remote server that sends one without end would otherwise grow the
 * engine — which every session shares — until it runs out of memory. The same bound for
 * an SSE event and a JSON body.
 */
export const MAX_ANSWER_BYTES = MAX_MESSAGE_BYTES;

export class AnswerTooLarge extends Error {
  constructor(limit: number) {
    super(`sent a message larger than ${(limit / (1024 * 1024)).toFixed(0)} MiB, more than the firewall checks; it was dropped`);
  }
}

/** The body as text, refusing (and cancelling) it past `maxBytes`. */
export async function readTextBounded(response: Response, maxBytes = MAX_ANSWER_BYTES): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw new AnswerTooLarge(maxBytes);
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** The first `maxChars` of the body (an error page's explanation), the rest never read. */
export async function readExcerpt(response: Response, maxChars: number): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  const reader = response.body.getReader();
  try {
    while (text.length < maxChars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // What arrived before the failure is the excerpt.
  }
  await reader.cancel().catch(() => undefined);
  return text.slice(0, maxChars);
}
