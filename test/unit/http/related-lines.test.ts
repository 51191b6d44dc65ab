import { describe, expect, it } from 'vitest';
import { createRelatedLines } from '../../../main/firewall/http/related-lines.js';

const LOG = '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"step 1"}}';

describe('related lines: which requests a server message came with, past the relay', () => {
  it("gives back a line's request keys once, the oldest note first", () => {
    const related = createRelatedLines();
    related.note(LOG, ['n:1']);
    related.note(LOG, ['n:2']);
    expect(related.take(LOG)).toEqual(['n:1']);
    expect(related.take(LOG)).toEqual(['n:2']);
    expect(related.take(LOG)).toEqual([]);
  });

  it('follows a line the output stage redacted to its new text', () => {
    const related = createRelatedLines();
    related.note(LOG, ['s:a']);
    related.rewrite(LOG, LOG.replace('step 1', '[REDACTED]'));
    expect(related.take(LOG)).toEqual([]);
    expect(related.take(LOG.replace('step 1', '[REDACTED]'))).toEqual(['s:a']);
  });

  it('keeps no note of a line too long to hold, and forgets the oldest past its bound', () => {
    const related = createRelatedLines();
    const long = `{"data":"${'x'.repeat(70 * 1024)}"}`;
    related.note(long, ['n:1']);
    expect(related.take(long)).toEqual([]);
    related.note(LOG, ['n:0']);
    for (let i = 1; i <= 256; i++) related.note(`{"n":${i}}`, [`n:${i}`]);
    expect(related.take(LOG)).toEqual([]);
    expect(related.take('{"n":256}')).toEqual(['n:256']);
  });
});
