import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { RunningEngine } from './engine-harness.js';
import { CLI } from './paths.js';

export interface ShimConnection {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  close(): Promise<void>;
}

/** The official SDK client, talking to a real server through `mcp-firewall wrap`. */
export async function connectThroughShim(
  engine: Pick<RunningEngine, 'env'>,
  server: string,
  command: string[],
  /** `launcher`: a command line the shim's own is appended to (a shell, say, so the client is another process). */
  options: { client?: string; capabilities?: ConstructorParameters<typeof Client>[1]; launcher?: string[] } = {},
): Promise<ShimConnection> {
  const shim = [process.execPath, CLI, 'wrap', '--server', server, ...(options.client ? ['--client', options.client] : []), '--', ...command];
  const [launch, ...launchArgs] = [...(options.launcher ?? []), ...shim];
  const transport = new StdioClientTransport({
    command: launch!,
    args: launchArgs,
    env: engine.env as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'mcp-firewall-tests', version: '1.0.0' }, options.capabilities ?? { capabilities: {} });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, close: () => client.close() };
}
