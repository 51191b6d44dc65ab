import { afterEach, describe, expect, it } from 'vitest';
import { desktopEngine } from '../desktop/desktop-engine.js';

describe('the Manifests page view of pinned tools', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  it('sends a pinned description spelled out and cut to a line, not whole with its bidi override', async () => {
    ctx = desktopEngine();
    // Raw, the override turns the rest around: "Reads a report.exe" shows as "Reads a reportexe.fdp".
    const description = `Reads a report\u202Efdp.exe ${'x'.repeat(5_000_000)} the end`;
    ctx.engine.pins.pin('notes', 'read_report', 'sha256:1', { name: 'read_report', description, inputSchema: { type: 'object' } });
    const [server] = (await ctx.service.manifests()).servers;
    const shown = server!.pinned[0]!.description;
    expect(shown).not.toContain('\u202E');
    expect(shown.startsWith('Reads a report\\u{202E}fdp.exe xxx')).toBe(true);
    expect(shown.endsWith('xxx the end')).toBe(true);
    expect(shown).toMatch(/… \(\d+ characters not shown\) …/);
    expect(shown.length).toBeLessThan(400);
  });
});
