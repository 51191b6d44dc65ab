import { z } from 'zod';

// The seed's v1 format, verbatim, plus optional extensions (defaults, action_classes,
// principals). Unknown keys are errors: a typo such as `decison:` must not silently
// produce a rule that never denies.
const globs = z.union([z.string(), z.array(z.string()).min(1)]);
const labels = z.record(z.string().min(1), globs);
const decision = z.enum(['ALLOW', 'DENY', 'REQUIRE_APPROVAL']);
const actionClass = z.enum(['read', 'write', 'destructive']);

const rule = z.strictObject({
  id: z.string().min(1),
  match: z
    .strictObject({
      labels: labels.optional(),
      mcp: z.strictObject({ deny_servers_not_in: z.array(z.string()) }).optional(),
      auth: z.strictObject({ require_scope_match: z.boolean() }).optional(),
    })
    .optional(),
  decision,
  constraints: z
    .strictObject({
      max_runtime_sec: z.number().positive().optional(),
      max_retries: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

export const policySchema = z.strictObject({
  version: z.literal('v1'),
  defaults: z
    .strictObject({
      decision: decision.optional(),
      max_runtime_sec: z.number().positive().optional(),
      approval_timeout_sec: z.number().positive().optional(),
    })
    .optional(),
  action_classes: z.array(z.strictObject({ match: labels, class: actionClass })).optional(),
  principals: z.array(z.strictObject({ match: labels, tags: z.array(z.string().min(1)) })).optional(),
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
  untrusted_tools: z.array(z.strictObject({ match: labels })).optional(),
  // Extension: when a result is withheld whole instead of redacted (seed risk 7).
  output: z
    .strictObject({
      quarantine_on_private_key: z.boolean().optional(),
      quarantine_secret_count: z.number().int().positive().optional(),
      quarantine_pii_count: z.number().int().positive().optional(),
      // DLP: secrets or PII leaving through a call's arguments.
      arguments_with_secrets: decision.optional(),
    })
    .optional(),
  rules: z.array(rule),
});

export type PolicyDocument = z.infer<typeof policySchema>;
