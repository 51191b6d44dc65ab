import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { denyAndExpectDenied, settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FILESYSTEM_SERVER, MEMORY_SERVER, REPO_ROOT } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';

// The shipped default policy, with a short approval timeout so the timeout case is quick.
const POLICY = readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8').replace(/approval_timeout_sec: \d+/, 'approval_timeout_sec: 2');


interface Pending {
  id: string;
  tool: string;
  server: string;
  actionClass: string;
  arguments: Record<string, unknown>;
}

describe('write calls wait for approval (server-filesystem, server-memory)', () => {
  const engine = useEngine({ policy: POLICY, approve: ['filesystem', 'memory'] });
  let files: ShimConnection;
  let memory: ShimConnection;
  let workDir: string;
  const pending = async (tool: string) =>
    waitFor(async () => ((await engine().api('GET', '/approvals')).body as Pending[]).find((p) => p.tool === tool), `a pending ${tool}`);
  const callRow = (approvalId: string) =>
    JSON.parse(engine().cli(['audit', 'query', `SELECT decision, action_class, approval_id, tool_name FROM mcp_audit WHERE event = 'call' AND approval_id = '${approvalId}'`, '--json']).stdout) as unknown[];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'mcpfw-files-'));
    files = await connectThroughShim(engine(), 'filesystem', [FILESYSTEM_SERVER, workDir], { client: 'claude-code' });
    memory = await connectThroughShim({ env: { ...engine().env, MEMORY_FILE_PATH: join(workDir, 'memory.jsonl') } }, 'memory', [MEMORY_SERVER]);
    await files.client.listTools();
    await memory.client.listTools();
  });
  afterAll(async () => {
    await files.close();
    await memory.close();
  });

  it('lets reads through without asking', async () => {
    const listing = await files.client.callTool({ name: 'list_allowed_directories', arguments: {} });
    expect(JSON.stringify(listing.content)).toContain('mcpfw-files-');
    expect(((await engine().api('GET', '/approvals')).body as unknown[]).length).toBe(0);
  });

  it('runs write_file once it is allowed from the CLI, and audits the approval', async () => {
    const target = join(workDir, 'approved.txt');
    const progress: string[] = [];
    const call = files.client.callTool({ name: 'write_file', arguments: { path: target, content: 'approved content' } }, undefined, {
      onprogress: (p) => void progress.push(String(p.message)),
    });
    const request = await pending('write_file');
    // server-filesystem marks write_file destructiveHint (it overwrites): annotations may raise the class.
    expect(request).toMatchObject({ server: 'filesystem', actionClass: 'destructive', arguments: { path: target } });
    expect(existsSync(target)).toBe(false);
    await waitFor(() => progress.length > 0, 'a progress notification while waiting');
    expect(progress[0]).toContain(request.id);
    const answer = engine().cli(['approvals', 'allow', request.id]);
    expect(answer.code).toBe(0);
    await call;
    expect(readFileSync(target, 'utf8')).toBe('approved content');
    expect(callRow(request.id)).toEqual([{ decision: 'ALLOW', action_class: 'destructive', approval_id: request.id, tool_name: 'write_file' }]);
  });

  it('fails write_file when the approver denies it', async () => {
    const target = join(workDir, 'denied.txt');
    const call = settled(files.client.callTool({ name: 'write_file', arguments: { path: target, content: 'nope' } }));
    const request = await pending('write_file');
    await denyAndExpectDenied(engine(), request.id, call);
    expect(existsSync(target)).toBe(false);
    expect(callRow(request.id)).toEqual([expect.objectContaining({ decision: 'DENY' })]);
  });

  it('denies write_file when nobody answers in time', async () => {
    const target = join(workDir, 'timeout.txt');
    await expect(files.client.callTool({ name: 'write_file', arguments: { path: target, content: 'late' } })).rejects.toThrow(/no approval within 2s/);
    expect(existsSync(target)).toBe(false);
  });

  it('remembers an "always" answer for the exact same arguments only', async () => {
    const args = { path: join(workDir, 'always.txt'), content: 'same every time' };
    const first = files.client.callTool({ name: 'write_file', arguments: args });
    const request = await pending('write_file');
    expect(engine().cli(['approvals', 'allow', request.id, '--scope', 'always']).code).toBe(0);
    await first;
    await files.client.callTool({ name: 'write_file', arguments: args });
    expect(callRow(request.id)).toHaveLength(2);
    const different = settled(files.client.callTool({ name: 'write_file', arguments: { ...args, content: 'different' } }));
    const again = await pending('write_file');
    expect(again.id).not.toBe(request.id);
    await engine().api('POST', `/approvals/${again.id}/deny`);
    expect(String(await different)).toMatch(/denied/);
  });

  it('gates create_entities on server-memory the same way', async () => {
    const call = memory.client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }] } });
    const request = await pending('create_entities');
    await engine().api('POST', `/approvals/${request.id}/allow`, { scope: 'once' });
    await call;
    const graph = await memory.client.callTool({ name: 'read_graph', arguments: {} });
    expect(JSON.stringify(graph.content)).toContain('Ada');
  });
});
