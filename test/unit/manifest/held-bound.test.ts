import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../../main/firewall/audit/audit-log.js';
import { toolDigest } from '../../../main/firewall/manifest/index.js';
import { reviewManifest } from '../../../main/firewall/pins/manifest-gate.js';
import type { HeldLimits } from '../../../main/firewall/pins/held-bound.js';
import { createPinStore } from '../../../main/firewall/pins/pin-store.js';

const schema = { type: 'object', properties: {} };
const tool = (name: string, description = `Does ${name}.`) => ({ name, description, inputSchema: schema });

function setup(heldLimits: HeldLimits) {
  const pins = createPinStore(new DatabaseSync(':memory:'));
  const rows: AuditEntry[] = [];
  const audit = { append: (entry: AuditEntry) => (rows.push(entry), { id: rows.length, rowHash: '' }), appendBatch: () => {} } as AuditLog;
  const review = (tools: unknown[]) => reviewManifest({ pins, audit, deployWindow: () => null, heldLimits }, { server: 'tickets', client: 'test', sessionId: 's' }, 'tools', tools);
  const decisions = () => rows.map((r) => [r.decision, r.toolName ?? null]);
  return { pins, review, decisions };
}

describe('what one server can have held for review', () => {
  it('hides and denies new tools past the bound on held definitions, without keeping them, and audits reaching it once', () => {
    const { pins, review, decisions } = setup({ items: 2, chars: 1_000_000 });
    review([tool('a')]);
    const blocked = review([tool('a'), tool('n1'), tool('n2'), tool('n3')]);
    expect(Object.keys(blocked).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(blocked.n3).toMatch(/it is new since the server was approved.*; not kept for review, because this server already has as many definitions held as are kept \(2, or/);
    expect(pins.pending('tickets').map((p) => p.tool)).toEqual(['n1', 'n2']);
    expect(decisions()).toEqual([['PINNED', null], ['NEW_TOOL', 'n1'], ['NEW_TOOL', 'n2'], ['HELD_NOT_KEPT', null]]);
    // Listing fresh names again and again adds neither rows nor audit.
    for (let i = 0; i < 5; i++) expect(Object.keys(review([tool('a'), tool('n1'), tool('n2'), tool(`x${i}`)]))).toContain(`x${i}`);
    expect(pins.pending('tickets')).toHaveLength(2);
    expect(decisions()).toHaveLength(4);
  });

  it('does not replace a held version with a new one that would pass the bound on characters, and still hides it', () => {
    const { pins, review } = setup({ items: 10, chars: 5_000 });
    review([tool('a')]);
    review([tool('a'), tool('b')]);
    const huge = tool('b', 'x'.repeat(6_000));
    expect(review([tool('a'), huge]).b).toMatch(/not kept for review/);
    expect(pins.pending('tickets').map((p) => p.digest)).toEqual([toolDigest(tool('b'))]);
  });
});

describe('a tool named __proto__', () => {
  it('is held when new, and its hold survives the trip to the shim as JSON', () => {
    const { review } = setup({ items: 10, chars: 1_000_000 });
    review([tool('a')]);
    const blocked = review([tool('a'), tool('__proto__')]);
    // Set on a plain object, `__proto__` was taken as the prototype (a string: ignored), so
    // the new tool was in no verdict at all.
    expect(Object.hasOwn(blocked, '__proto__')).toBe(true);
    const sent = JSON.parse(JSON.stringify(blocked)) as Record<string, string>;
    expect(Object.getOwnPropertyDescriptor(sent, '__proto__')?.value).toMatch(/it is new since the server was approved/);
  });
});
