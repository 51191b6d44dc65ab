/**
 * The rule most tests start from, as a user would write it: writes and destructive calls
 * wait for a person. Spliced under `rules:` in a test's own policy text.
 */
export const ASK_FOR_WRITES_RULE = `  - id: ask-for-writes
    match:
      labels:
        mcp.action: [write, destructive]
    decision: REQUIRE_APPROVAL
`;

/** server-everything's `get-sum` as the write a remote test holds for approval; everything else allowed. */
export const GET_SUM_IS_A_WRITE_POLICY = `version: v1
defaults:
  decision: ALLOW
action_classes:
  - match: { mcp.tool: ["get-sum"] }
    class: write
rules:
${ASK_FOR_WRITES_RULE}`;
