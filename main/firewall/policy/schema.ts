import { z } from 'zod';
import { compileGlob } from './glob.js';
import { ACTION_CLASSES } from './types.js';

// The seed's v1 format, verbatim, plus optional extensions (defaults, action_classes,
// principals). Unknown keys are errors: a typo such as `decison:` must not silently
// produce a rule that never denies.
// Only `*` and `?` are special (glob.ts). Anything a user could mean as glob syntax
// elsewhere (`[ab]`, `{a,b}`, `\*`) would be matched literally and never fire, so it
// is an error; `?` stands in for one such literal character.
const glob = z
  .string()
  .min(1, 'an empty pattern matches nothing')
  .refine((pattern) => !/[[\]{}\\]/.test(pattern), {
    message: "only * and ? are special in policy globs; '[', ']', '{', '}' and '\\' are not supported (use ? for one literal character)",
  });
const globs = z.union([glob, z.array(glob).min(1)]);

// Which labels each section can match on: a label the engine never sets would make the
// entry never match, so a typo such as `mcp.tol` would silently drop a DENY rule.
const CALL_LABELS = ['mcp.server', 'mcp.tool', 'mcp.action', 'mcp.client', 'mcp.method'] as const;
const RULE_LABELS = [...CALL_LABELS, 'principal.tag', 'principal.tags'] as const;
const TOOL_LABELS = ['mcp.server', 'mcp.tool'] as const;
/** The requests a rule is asked about (the shim's POLICED_METHODS); `mcp.method` can only be one. */
const DECIDED_METHODS = ['tools/call'] as const;
/** setTimeout's limit: a longer timer fires at once, which would deny every approval at once. */
const MAX_SECONDS = 2_147_483;
const seconds = z.number().positive().max(MAX_SECONDS, `at most ${MAX_SECONDS} seconds (24 days)`);

function labelsOn(allowed: readonly string[]) {
  return z.record(z.string(), globs).superRefine((value, ctx) => {
    for (const [label, patterns] of Object.entries(value)) {
      if (!allowed.includes(label)) {
        ctx.addIssue({ code: 'custom', path: [label], message: `unknown label '${label}' here; expected one of ${allowed.join(', ')}` });
        continue;
      }
      const values = label === 'mcp.action' ? ACTION_CLASSES : label === 'mcp.method' ? DECIDED_METHODS : null;
      if (!values) continue;
      for (const pattern of Array.isArray(patterns) ? patterns : [patterns]) {
        const matcher = compileGlob(pattern);
        if (values.some((v) => matcher(v))) continue;
        const message = label === 'mcp.action'
          ? `'${pattern}' matches no action class; expected ${ACTION_CLASSES.join(', ')}`
          : `'${pattern}' never matches: the policy decides ${DECIDED_METHODS.join(', ')} only (other requests pass, or are held by the manifest pins)`;
        ctx.addIssue({ code: 'custom', path: [label], message });
      }
    }
  });
}
const labels = labelsOn(RULE_LABELS);
const decision = z.enum(['ALLOW', 'DENY', 'REQUIRE_APPROVAL']);
const actionClass = z.enum(['read', 'write', 'destructive']);

const rule = z.strictObject({
  id: z.string().min(1),
  match: z
    .strictObject({
      labels: labels.optional(),
      mcp: z.strictObject({ deny_servers_not_in: z.array(glob) }).optional(),
      auth: z.strictObject({ require_scope_match: z.boolean() }).optional(),
    })
    .optional(),
  decision,
  constraints: z
    .strictObject({
      max_runtime_sec: seconds.optional(),
      max_retries: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

export const policySchema = z.strictObject({
  version: z.literal('v1'),
  defaults: z
    .strictObject({
      decision: decision.optional(),
      max_runtime_sec: seconds.optional(),
      approval_timeout_sec: seconds.optional(),
    })
    .optional(),
  // An empty match would classify every tool (`class: read` on everything); say `mcp.tool: "*"`.
  action_classes: z
    .array(z.strictObject({ match: labelsOn(TOOL_LABELS).refine((m) => Object.keys(m).length > 0, 'match needs at least one label'), class: actionClass }))
    .optional(),
  principals: z.array(z.strictObject({ match: labelsOn(CALL_LABELS), tags: z.array(z.string().min(1)) })).optional(),
  // Extension: per-session guards against runaway chains (seed risk 6) and the tools
  // whose output is untrusted for taint tracking (seed risk 2).
  guards: z
    .strictObject({
      max_chain_depth: z.number().int().positive().optional(),
      quiet_gap_sec: z.number().positive().optional(),
      max_calls_per_minute: z.number().int().positive().optional(),
      max_identical_calls: z.number().int().positive().optional(),
      on_exceed: z.enum(['DENY', 'REQUIRE_APPROVAL']).optional(),
      retrieval_heavy_calls: z.number().int().positive().optional(),
    })
    .optional(),
  untrusted_tools: z.array(z.strictObject({ match: labelsOn(TOOL_LABELS) })).optional(),
  // Extension: when a result is withheld whole instead of redacted (seed risk 7).
  output: z
    .strictObject({
      quarantine_on_private_key: z.boolean().optional(),
      quarantine_secret_count: z.number().int().positive().optional(),
      quarantine_pii_count: z.number().int().positive().optional(),
      // DLP: secrets or PII leaving through a call's arguments, or the client's answer to a server's sampling request.
      arguments_with_secrets: decision.optional(),
    })
    .optional(),
  rules: z.array(rule),
});

export type PolicyDocument = z.infer<typeof policySchema>;
