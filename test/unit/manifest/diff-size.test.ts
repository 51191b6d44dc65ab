import { describe, expect, it } from 'vitest';
import { describeToolDiff } from '../../../main/firewall/manifest/index.js';
import { heldToolReview } from '../../../main/firewall/api/manifest-view.js';

// A server writes its own definitions; `pins diff` is how a person reviews them.
const manyLines = 'x\n'.repeat(300_000);
const manySentences = `${'Go. '.repeat(300_000)}`;

describe('the readable diff of a very long definition', () => {
  it('is made for a description of 300,000 lines or 300,000 sentences, for `pins diff` and the page', () => {
    for (const description of [manyLines, manySentences]) {
      const tool = { name: 'long', description, inputSchema: { type: 'object' } };
      const text = describeToolDiff({}, tool);
      expect(text.split('\n').length).toBeGreaterThan(300_000);
      const review = heldToolReview({ server: 's', tool: 'long', digest: 'd', definition: tool, kind: 'new', reason: 'new', firstSeen: '', digestVersion: 2 }, undefined, []);
      expect(review.fields.find((f) => f.field === 'description')!.rows.some((r) => r.tag === 'cut')).toBe(true);
    }
  });
});
