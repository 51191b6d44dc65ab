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
