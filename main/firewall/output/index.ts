export type { Family, Finding, Rule, Severity } from './types.js';
export { ALL_RULES, createScanner, type Scanner } from './scanner.js';
export { maskedPreview, redactText, replacementFor } from './redact.js';
export {
  DEFAULT_OUTPUT_THRESHOLDS,
  detect,
  inspectArguments,
  inspectResultLine,
  inspectServerMessage,
  inspectText,
  isCleanLine,
  type OutputThresholds,
  type OutputVerdict,
  type ServerMessageVerdict,
  type VerdictFinding,
} from './verdict.js';
