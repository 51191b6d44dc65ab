// Scores the detectors against the external corpora in ../shared/corpora. Shared by the
// corpus test (which asserts the targets) and the benchmark (which prints the figures).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { detect } from '../../../main/firewall/output/index.js';

export function corporaDir(fromDir: string): string {
  return path.resolve(fromDir, '../../../../shared/corpora');
}

// secretlint test inputs whose label depends on secretlint itself rather than on the text:
// `example` and `filter-comments` exercise its rule framework ("THIS IS SECRET"), `pattern`
// runs user-configured regexes, `*--ok.allows*` hold real-format keys that the test config
// allow-lists, `no-homedir` flags home-directory paths — which a filesystem server prints
// in every listing, so redacting them would break the tool.
export const EXCLUDED = /^(?:example|filter-comments|pattern|no-homedir)--|--ok\.allows/;

export interface SecretScore {
  ng: number;
  ngFound: number;
  ok: number;
  okFlagged: number;
  missed: string[];
  flagged: string[];
  excluded: number;
}

export function scoreSecrets(dir: string): SecretScore {
  const s: SecretScore = { ng: 0, ngFound: 0, ok: 0, okFlagged: 0, missed: [], flagged: [], excluded: 0 };
  for (const file of readdirSync(dir).sort()) {
    if (!file.includes('--')) continue;
    if (EXCLUDED.test(file)) {
      s.excluded++;
      continue;
    }
    const hit = detect(readFileSync(path.join(dir, file), 'utf8')).some((f) => f.family === 'secret');
    if (file.includes('--ng.')) {
      s.ng++;
      if (hit) s.ngFound++;
      else s.missed.push(file);
    } else {
      s.ok++;
      if (hit) {
        s.okFlagged++;
        s.flagged.push(file);
      }
    }
  }
  return s;
}

const PRESIDIO: Record<string, string> = {
  email: 'EMAIL_ADDRESS', phone: 'PHONE_NUMBER', 'credit-card': 'CREDIT_CARD', iban: 'IBAN_CODE', 'us-ssn': 'US_SSN', 'ip-address': 'IP_ADDRESS',
};
export interface EntityScore {
  labels: number;
  found: number;
  flagged: number;
  correct: number;
}

interface Sample {
  full_text: string;
  spans: Array<{ entity_type: string; start_position: number; end_position: number }>;
}

/** Recall per labelled entity; precision of each of our PII types against the labels. */
export function scorePii(file: string): Record<string, EntityScore> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Sample[];
  const scores: Record<string, EntityScore> = {};
  for (const entity of Object.values(PRESIDIO)) scores[entity] = { labels: 0, found: 0, flagged: 0, correct: 0 };
  for (const sample of data) {
    const findings = detect(sample.full_text).filter((f) => f.family === 'pii');
    const overlaps = (f: { start: number; end: number }, sp: Sample['spans'][number]) => f.start < sp.end_position && f.end > sp.start_position;
    for (const sp of sample.spans) {
      const s = scores[sp.entity_type];
      if (!s) continue;
      s.labels++;
      if (findings.some((f) => PRESIDIO[f.type] === sp.entity_type && overlaps(f, sp))) s.found++;
    }
    for (const f of findings) {
      const entity = PRESIDIO[f.type];
      const s = entity ? scores[entity] : undefined;
      if (!s) continue;
      s.flagged++;
      if (sample.spans.some((sp) => sp.entity_type === entity && overlaps(f, sp))) s.correct++;
    }
  }
  return scores;
}
