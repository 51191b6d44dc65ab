// Captures a real server's tools/list over stdio so the false-positive measurement runs
// against what servers actually ship, not descriptions we wrote ourselves.
// Usage: node --experimental-strip-types test/bench/dump-manifest.ts OUT.json LABEL -- COMMAND [ARGS...]
import { writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const [out, label] = argv;
const [command, ...args] = argv.slice(sep + 1);
if (sep < 2 || !out || !label || !command) {
  process.stderr.write('usage: dump-manifest.ts OUT.json LABEL -- COMMAND [ARGS...]\n');
  process.exit(2);
}
const client = new Client({ name: 'mcp-firewall-manifest-dump', version: '0.0.0' });
// Pass our env through so dummy API keys reach servers that refuse to start without one.
const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
const transport = new StdioClientTransport({ command, args, env, stderr: 'ignore' });
await client.connect(transport);
const tools = [];
let cursor: string | undefined;
do {
  const page = await client.listTools(cursor === undefined ? {} : { cursor });
  tools.push(...page.tools);
  cursor = page.nextCursor;
} while (cursor !== undefined);
const result = {
  source: { label, server: client.getServerVersion() ?? null },
  instructions: client.getInstructions() ?? null,
  tools,
};
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
await client.close();
process.stdout.write(`${label}: ${tools.length} tools -> ${out}\n`);
