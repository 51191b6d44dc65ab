// Manifest pins and poisoning cues: pure functions, no I/O. The engine and the shim call
// these on every tools/list; the pin store and audit live elsewhere.
export { canonicalJson, canonicalPrettyJson } from './canonical-json.js';
export {
  PINNED_TOOL_FIELDS,
  TOOL_DIGEST_VERSION,
  compareToPins,
  manifestDigests,
  pinnedView,
  reviewedFields,
  toolDigest,
  toolPins,
  type ManifestDigests,
  type ManifestInput,
  type PinComparison,
  type ToolPin,
} from './digest.js';
export { describeToolDiff } from './diff.js';
export { boundedCues, MAX_CUES_PER_SEVERITY } from './cue-bound.js';
export { checkTools, findPoisoningCues, findTextCues, toolVerdict, type ToolCheck } from './cues.js';
export type { Cue, CueContext, CueKind, CueSeverity, ToolVerdict } from './cue-types.js';
export { parseToolsList, type ParsedToolsList } from './parse-tools-list.js';
export { makeVisible } from './visible-text.js';
