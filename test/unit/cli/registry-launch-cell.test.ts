import { describe, expect, it } from 'vitest';
import { launchCell } from '../../../main/cli/commands/registry.js';

describe('registry list: the launch column', () => {
  it('keeps what runs and the end of a long line, where the arguments tell lines apart', () => {
    const cell = launchCell({ command: '/usr/local/bin/npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me/projects/a-rather-long-name/notes'] });
    expect(cell.startsWith('npx …')).toBe(true);
    expect(cell.endsWith('/home/me/projects/a-rather-long-name/notes')).toBe(true);
    expect(cell.length).toBe(60);
    expect(launchCell({ command: 'C:\\Program Files\\nodejs\\node.exe', args: ['x'.repeat(80)] }).startsWith('node.exe …')).toBe(true);
  });

  it('shows a short line whole', () => {
    expect(launchCell({ command: 'node', args: ['server.js'] })).toBe('node server.js');
    expect(launchCell(null)).toBe('(pinned on first run)');
  });
});
