export type CueSeverity = 'low' | 'medium' | 'high';

export type CueKind =
  | 'instruction-tag' // <IMPORTANT>, <SYSTEM>, [INST], chat-template tokens, HTML comments
  | 'model-address' // "note to the AI", "agents must..."
  | 'override' // "ignore previous instructions", "from now on you..."
  | 'concealment' // "do not tell the user", "keep this secret from the user"
  | 'consent-bypass' // "never ask for confirmation", "pre-authorized"
  | 'precondition' // "before using this tool you must..."
  | 'tool-redirection' // instructions to call / prefer other tools
  | 'remote-instruction' // "follow the instructions in that file / URL"
  | 'file-read-instruction' // "read /some/path"
  | 'cross-server-reference' // names or rules for tools this server does not own
  | 'sensitive-path' // ~/.ssh, mcp.json, .env ...
  | 'secret-reference' // OPENAI_API_KEY and friends
  | 'exfiltration-parameter' // a parameter asking for conversation, files or secrets
  | 'exfiltration-destination' // "BCC everything to x@evil", "post it to https://..."
  | 'suspicious-parameter' // sidenote / feedback / _trace ... the usual hidden carriers
  | 'dangerous-command' // rm -rf, curl | sh, DROP TABLE
  | 'invisible-unicode' // tag characters, zero-width, variation-selector smuggling
  | 'bidi-control' // RLO / LRI ... reorder what the reviewer sees
  | 'ansi-escape' // hides or rewrites text in terminal clients
  | 'control-character'
  | 'compound-instruction'; // several medium cues in one sentence: the shape of a real attack

export interface Cue {
  kind: CueKind;
  /** Where in the tool: "description", "inputSchema.properties.x.description", "inputSchema.properties.x.enum[2]". */
  path: string;
  /** UTF-16 offsets into the string at `path`; for a property-name finding, into the name. */
  start: number;
  end: number;
  severity: CueSeverity;
  /** The matched text with some context, invisible characters spelled out as \u{…}. */
  excerpt: string;
  /** Why this matters, for the reviewer. */
  reason: string;
}

export interface CueContext {
  /** Tools of OTHER servers on the same client: mentioning them is cross-server shadowing. */
  otherToolNames?: string[];
  /** Tools of the same server: "use read_text_file instead" is fine when it is a sibling. */
  siblingToolNames?: string[];
}

export type ToolVerdict = 'ok' | 'review' | 'block';
