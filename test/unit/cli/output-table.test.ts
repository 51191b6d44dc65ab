import { describe, expect, it } from 'vitest';
import { formatTable } from '../../../main/cli/commands/output.js';

describe('the CLI tables (registry list, audit query, approvals list …)', () => {
  it('spell out escape sequences and bidi overrides from configs, servers and the audit', () => {
    const table = formatTable(['server', 'tool'], [{ server: 'notes\u001b[2J\u001b[31m', tool: 'write_file\u202Eetadpu' }]);
    expect(table).not.toMatch(/[\u001b\u202e]/);
    expect(table).toContain('notes\\u{1B}[2J\\u{1B}[31m');
    expect(table).toContain('write_file\\u{202E}etadpu');
  });
});
