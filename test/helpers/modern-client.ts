import { Client, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { RunningEngine } from './engine-harness.js';
import { CLI } from './paths.js';

export interface ModernConnection {
  client: Client;
  /** Every message the client read from the shim, as parsed, in order (wire fields the SDK strips included). */
  received: Array<Record<string, unknown>>;
  stderr: () => string;
  close(): Promise<void>;
}

export interface ModernOptions {
  /**
   * 'pin': the client speaks 2026-07-28 from its first message (its server/discover probe on
   * this connection). 'auto': it probes in a short-lived sibling process, then opens this one.
   */
  mode: 'pin' | 'auto';
  /** `--client`; without it the shim names the client from the envelope's clientInfo. */
  client?: string;
  name?: string;
  env?: NodeJS.ProcessEnv;
  /** Answers the server's embedded elicitation requests (input_required); declined without it. */
  onElicit?: (params: ElicitRequest['params']) => ElicitResult;
  /** Answers embedded sampling requests with this text, and records what was asked. */
  onSample?: (params: unknown) => string;
}

/** The v2 SDK client (MCP 2026-07-28), talking to a real server through `mcp-firewall wrap`. */
export async function connectModern(engine: Pick<RunningEngine, 'env'>, server: string, command: string[], options: ModernOptions): Promise<ModernConnection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'wrap', '--server', server, ...(options.client ? ['--client', options.client] : []), '--', ...command],
    env: { ...engine.env, ...options.env } as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const received: Array<Record<string, unknown>> = [];
  // The SDK strips wire-only fields (resultType, requestState…) before a caller sees a result:
  // what reached the client is read where the transport hands it over.
  let deliver: ((message: never, extra?: never) => void) | undefined;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get: () => deliver && ((message: never, extra?: never) => {
      received.push(message);
      deliver!(message, extra);
    }),
    set: (handler: typeof deliver) => (deliver = handler),
  });
  const mode = options.mode === 'pin' ? { pin: '2026-07-28' } : 'auto';
  const capabilities = { elicitation: { form: {} }, sampling: {} };
  const client = new Client({ name: options.name ?? 'modern-tests', version: '1.0.0' }, { versionNegotiation: { mode }, capabilities } as ConstructorParameters<typeof Client>[1]);
  client.setRequestHandler('elicitation/create', async (request) => options.onElicit?.(request.params) ?? { action: 'decline' });
  client.setRequestHandler('sampling/createMessage', async (request) => ({
    role: 'assistant', model: 'test-model', content: { type: 'text', text: options.onSample?.(request.params) ?? 'ok' },
  }));
  await client.connect(transport);
  return { client, received, stderr: () => stderr, close: () => client.close() };
}
