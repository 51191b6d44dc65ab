import { boundedCues } from './cue-bound.js';
import type { Cue, CueContext, CueSeverity, ToolVerdict } from './cue-types.js';
import { toolName } from './digest.js';
import { findInvisibleCues } from './invisible-cues.js';
import { findPhraseCues } from './phrase-cues.js';
import { toolStrings } from './tool-strings.js';

// Parameter names that published attacks use as covert carriers. A name alone proves
// nothing (plenty of honest tools take `context` or `notes`), so it is only a low cue that
// explains a higher one found in the same parameter.
const CARRIER_PARAM = /^(?:_.*|side_?notes?|notes?|feedback|debug(?:_?info)?|trace|metadata|meta|extra|context|internal|hidden|annotation|remarks?|comments?|log|telemetry|analytics|payload|session)$/i;

const RANK: Record<CueSeverity, number> = { low: 0, medium: 1, high: 2 };

/** Poisoning cues in one tool's metadata (description, schemas, titles, enum values...). */
export function findPoisoningCues(tool: unknown, context: CueContext = {}): Cue[] {
  const own = toolName(tool, 0);
  const cues = boundedCues();
  for (const s of toolStrings(tool)) {
    cues.add(findInvisibleCues(s.path, s.text, s.role === 'name' || s.role === 'property-name'));
    if (s.role === 'text') cues.add(findPhraseCues(s, own, context));
    if (s.role === 'property-name' && CARRIER_PARAM.test(s.text)) {
      cues.add([{ kind: 'suspicious-parameter', path: s.path, start: 0, end: s.text.length, severity: 'low', excerpt: s.text, reason: 'parameter name often used as a covert carrier' }]);
    }
  }
  return dedupe(cues.kept);
}

// Several rules can match the same words; keep the most severe finding per kind and span.
function dedupe(cues: Cue[]): Cue[] {
  cues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.start - b.start || RANK[b.severity] - RANK[a.severity]));
  const out: Cue[] = [];
  for (const c of cues) {
    const dup = out.find((o) => o.path === c.path && o.kind === c.kind && o.start < c.end && c.start < o.end);
    if (dup) {
      if (RANK[c.severity] > RANK[dup.severity]) Object.assign(dup, c);
      continue;
    }
    out.push(c);
  }
  return out;
}

/**
 * Cues in free text the model reads outside a tool: server instructions, prompt
 * descriptions. Same rules; `path` names where the text came from.
 */
export function findTextCues(path: string, text: string, context: CueContext = {}): Cue[] {
  const cues = boundedCues();
  cues.add(findInvisibleCues(path, text));
  cues.add(findPhraseCues({ path, text, role: 'text' }, '', context));
  return dedupe(cues.kept);
}

/** High severity blocks the tool pending review; medium asks for a look; low is informational. */
export function toolVerdict(cues: readonly Cue[]): ToolVerdict {
  let worst = -1;
  for (const c of cues) worst = Math.max(worst, RANK[c.severity]);
  return worst === 2 ? 'block' : worst === 1 ? 'review' : 'ok';
}

export interface ToolCheck {
  name: string;
  verdict: ToolVerdict;
  cues: Cue[];
}

/** Checks a whole tools/list: each tool's siblings are known, so "use X instead" among them is fine. */
export function checkTools(tools: readonly unknown[], context: Pick<CueContext, 'otherToolNames'> = {}): ToolCheck[] {
  const siblingToolNames = tools.map((t, i) => toolName(t, i));
  return tools.map((tool, i) => {
    const cues = findPoisoningCues(tool, { ...context, siblingToolNames });
    return { name: siblingToolNames[i]!, verdict: toolVerdict(cues), cues };
  });
}
