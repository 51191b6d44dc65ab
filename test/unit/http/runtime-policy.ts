// What the answer-wait tests share: a JSON-only client's headers, and a policy under which
// anything no rule limits runs 0.1 s while long_report runs up to 3 s.
export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

export const RUNTIME_POLICY = `version: v1
defaults:
  decision: ALLOW
  max_runtime_sec: 0.1
rules:
  - id: long-report
    match:
      labels:
        mcp.tool: long_report
    decision: ALLOW
    constraints:
      max_runtime_sec: 3
`;
