import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassifyCommand } from '../../../main/cli/commands/classify.js';
import { UsageError, type CliIo } from '../../../main/cli/command.js';

const SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';

function io(cwd = '/'): CliIo & { out: string; err: string } {
  const o = { out: '', err: '', env: {}, cwd, stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
  return o;
}

describe('classify command', () => {
  it('prints each finding with offsets and a masked preview, never the value, then the verdict', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'classify-'));
    await writeFile(path.join(dir, 'out.txt'), `key=${SECRET}\nmail jo@example.org\n`);
    const o = io(dir);
    expect(await createClassifyCommand()(['out.txt'], o)).toBe(0);
    expect(o.out).toContain('stripe-key');
    expect(o.out).toContain('4-36');
    expect(o.out).toContain('sk_l********');
    expect(o.out).not.toContain(SECRET);
    expect(o.out).toMatch(/verdict: REDACT \(2 findings: 1 secret, 1 pii, 0 injection\)/);
  });

  it('reads stdin for "-" and prints JSON with --json', async () => {
    const o = io();
    expect(await createClassifyCommand(async () => `token ${SECRET}`)(['-', '--json'], o)).toBe(0);
    const parsed = JSON.parse(o.out) as { verdict: string; findings: Array<Record<string, unknown>> };
    expect(parsed).toMatchObject({ verdict: 'REDACT', findings: [{ type: 'stripe-key', family: 'secret', severity: 'high', start: 6, end: 38 }] });
    expect(o.out).not.toContain(SECRET);
  });

  it('reports PASS with exit 0 on clean text', async () => {
    const o = io();
    expect(await createClassifyCommand(async () => 'nothing to see')([], o)).toBe(0);
    expect(o.out).toBe('verdict: PASS (0 findings: 0 secret, 0 pii, 0 injection)\n');
  });

  it('rejects unknown options and fails readably on a missing file', async () => {
    await expect(createClassifyCommand()(['--nope'], io())).rejects.toBeInstanceOf(UsageError);
    const o = io('/nonexistent-dir');
    expect(await createClassifyCommand()(['missing.txt'], o)).toBe(1);
    expect(o.err).toContain('cannot read missing.txt');
  });
});
