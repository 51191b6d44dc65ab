import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim as rawShimOf, type RawShim } from '../helpers/raw-shim.js';
import { githubStyleToken } from '../unit/output/helpers.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');

/** The faulty fixture behind the shim, spoken to in raw bytes. */
function rawShim(engine: RunningEngine, env: Record<string, string> = {}): RawShim {
  return rawShimOf(engine, 'faulty', [process.execPath, FAULTY], env);
}

describe('the shim on the wire', () => {
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['faulty'] });

  it('echoes ids of every type exactly, passes unknown methods and notifications, and answers batches', async () => {
    const shim = rawShim(engine());
    try {
      shim.send('{"jsonrpc":"2.0","id":"init-1","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":"42","method":"tools/call","params":{"name":"read_text","arguments":{"text":"string id that looks like a number"}}}');
      shim.send('{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"read_text","arguments":{"text":"numeric id"}}}');
      shim.send('{"jsonrpc":"2.0","id":0,"method":"frobnicate/unknown","params":{}}');
      shim.send('[{"jsonrpc":"2.0","id":"b1","method":"tools/call","params":{"name":"read_text","arguments":{"text":"in a batch"}}}]');
      await waitFor(() => shim.lines.length >= 5, 'five answers');
      const answers = shim.lines.map((l) => JSON.parse(l) as { id: unknown; result?: { content?: Array<{ text: string }> }; error?: { code: number } });
      const byId = (id: unknown) => answers.find((a) => a.id === id);
      expect(byId('init-1')).toBeDefined();
      expect(byId('42')!.result!.content![0]!.text).toBe('string id that looks like a number');
      expect(byId(42)!.result!.content![0]!.text).toBe('numeric id');
      expect(byId(0)!.error!.code).toBe(-32601);
      expect(byId('b1')!.result!.content![0]!.text).toBe('in a batch');
    } finally {
      shim.child.stdin!.end();
    }
  });

  it('refuses a tools/call that names no tool, in words that read (params missing, not an object, or name not a string)', async () => {
    const shim = rawShim(engine());
    try {
      shim.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":"n1","method":"tools/call"}');
      shim.send('{"jsonrpc":"2.0","id":"n2","method":"tools/call","params":"read_text"}');
      shim.send('{"jsonrpc":"2.0","id":"n3","method":"tools/call","params":{"name":{"x":1},"arguments":{}}}');
      await waitFor(() => ['n1', 'n2', 'n3'].every((id) => shim.lines.some((l) => l.includes(`"id":"${id}"`))), 'three refusals');
      for (const id of ['n1', 'n2', 'n3']) {
        const answer = JSON.parse(shim.lines.find((l) => l.includes(`"id":"${id}"`))!) as { error?: { code: number; message: string } };
        expect(answer.error).toEqual(expect.objectContaining({ code: -32003, message: 'MCP Firewall denied the request: tools/call without a tool name' }));
      }
    } finally {
      shim.child.stdin!.end();
    }
  });

  it('answers every member of a batch whose answer is withheld, so none is left waiting', async () => {
    // A throwaway key in the shape of an OpenSSH private key: the output stage quarantines it.
    const key = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', '-----END OPENSSH PRIVATE KEY-----'].join('\n');
    const shim = rawShim(engine(), { FIXTURE_LEAK: key });
    try {
      shim.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('[{"jsonrpc":"2.0","id":"r1","method":"resources/read","params":{"uri":"file:///a"}},{"jsonrpc":"2.0","id":"r2","method":"resources/read","params":{"uri":"file:///b"}}]');
      await waitFor(() => shim.lines.some((l) => l.startsWith('[')), 'the batch answer');
      const batch = JSON.parse(shim.lines.find((l) => l.startsWith('['))!) as Array<{ id: unknown; error?: { message: string }; result?: unknown }>;
      expect(batch.map((m) => m.id).sort()).toEqual(['r1', 'r2']);
      for (const member of batch) {
        expect(member.result).toBeUndefined();
        expect(member.error!.message).toMatch(/quarantined/);
      }
      expect(shim.lines.join('\n')).not.toContain('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ');
    } finally {
      shim.child.stdin!.end();
    }
  });

  it('checks the answers to a batch of reads even when the server answers them one by one', async () => {
    const key = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', '-----END OPENSSH PRIVATE KEY-----'].join('\n');
    const shim = rawShim(engine(), { FIXTURE_LEAK: key, FIXTURE_UNBATCH: '1' });
    try {
      shim.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('[{"jsonrpc":"2.0","id":"u1","method":"resources/read","params":{"uri":"file:///a"}},{"jsonrpc":"2.0","id":"u2","method":"resources/read","params":{"uri":"file:///b"}}]');
      await waitFor(() => ['u1', 'u2'].every((id) => shim.lines.some((l) => l.includes(`"${id}"`))), 'both answers');
      expect(shim.lines.join('\n')).not.toContain('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ');
      for (const id of ['u1', 'u2']) expect(shim.lines.find((l) => l.includes(`"${id}"`))).toMatch(/quarantined/);
    } finally {
      shim.child.stdin!.end();
    }
  });

  it('drops a large answer that only looks like JSON at its edges, secret and all', async () => {
    const token = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');
    const shim = rawShim(engine(), { FIXTURE_LEAK: token });
    try {
      shim.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"read_broken_leak","arguments":{}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('not JSON')), 'the shim to report the broken line');
      expect(shim.lines.join('\n')).not.toContain(token);
    } finally {
      shim.child.stdin!.end();
    }
  });
});
