import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detect, inspectResultLine } from '../../../main/firewall/output/index.js';
import { corporaDir, scorePii, scoreSecrets } from './corpus-measure.js';

const corpora = corporaDir(path.dirname(fileURLToPath(import.meta.url)));

describe('external corpora', () => {
  it('finds at least 95 % of secretlint "ng" inputs and flags at most 5 % of "ok" inputs', () => {
    const s = scoreSecrets(path.join(corpora, 'secrets-secretlint'));
    expect(s.ng).toBeGreaterThan(40); // the corpus is really there and read
    expect(s.ngFound / s.ng, `missed: ${s.missed.join(', ')}`).toBeGreaterThanOrEqual(0.95);
    expect(s.okFlagged / s.ok, `flagged: ${s.flagged.join(', ')}`).toBeLessThanOrEqual(0.05);
  });

  it('reaches the recall targets per Presidio entity type', () => {
    const scores = scorePii(path.join(corpora, 'pii-presidio/synth_dataset_v2.json'));
    const recall = (e: string) => scores[e]!.found / scores[e]!.labels;
    for (const e of ['CREDIT_CARD', 'EMAIL_ADDRESS', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS']) {
      expect(scores[e]!.labels, e).toBeGreaterThan(10);
      expect(recall(e), e).toBeGreaterThanOrEqual(0.95);
    }
    expect(recall('PHONE_NUMBER')).toBeGreaterThanOrEqual(0.8);
    // Precision is reported in docs/benchmarks.md (section 2); guard against a collapse.
    for (const [e, s] of Object.entries(scores)) expect(s.correct / s.flagged, e).toBeGreaterThanOrEqual(0.8);
  });
});

describe('raw-line fast path', () => {
  it('never skips a result whose decoded text has findings (escapes, \\n, \\t, quotes around the value)', () => {
    const dir = path.join(corpora, 'secrets-secretlint');
    const texts = readdirSync(dir).filter((f) => f.includes('--ng.')).map((f) => readFileSync(path.join(dir, f), 'utf8'));
    const pii = JSON.parse(readFileSync(path.join(corpora, 'pii-presidio/synth_dataset_v2.json'), 'utf8')) as Array<{ full_text: string }>;
    texts.push(...pii.map((s) => s.full_text), 'x\tpassword\t=\t"Zq8#vLm2!pR7"', 'Phone:\n0490 75 40 81', '"pwd":"Zq8#vLm2!pR7"');
    let checked = 0;
    for (const text of texts) {
      const expected = detect(text).length;
      if (expected === 0) continue;
      checked++;
      const line = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } });
      expect(inspectResultLine(line, { quarantineOnPrivateKey: false, quarantineSecretCount: 1e9, quarantinePiiCount: 1e9 }).findings.length, text).toBe(expected);
    }
    expect(checked).toBeGreaterThan(300);
  });
});
