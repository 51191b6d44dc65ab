// One definition for the engine, the CLI and the dashboard (preload/ is what both sides share).
export { breakAtEscapedNewlines, keepEnds, makeVisible, oneLineName } from '../../../preload/visible-text.js';
