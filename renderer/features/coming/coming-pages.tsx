import { Code, EmptyState, PageHeader } from '../../ui/ui.js';

// These pages wait for engine features still being built (manifest pins, output
// quarantine, the detection gates). They say so plainly instead of showing made-up data.

export function ManifestsPage() {
  return (
    <>
      <PageHeader title="Manifests" subtitle="Pinned tool definitions, drift and poisoning findings." />
      <EmptyState title="Manifest pins arrive with the next engine update" icon="⎘">
        <p>Each server's tool list will be pinned on first approval; any later change to a name, description or schema blocks that tool
          until you accept it here, with a side-by-side diff and poisoning cues (hidden instructions, invisible Unicode, secret paths) highlighted in place.</p>
        <p>Today you can vet a saved <Code>tools/list</Code> with <Code>mcp-firewall manifest check FILE</Code>.</p>
      </EmptyState>
    </>
  );
}

export function QuarantinePage() {
  return (
    <>
      <PageHeader title="Quarantine" subtitle="Tool results held back before they reach the model." />
      <EmptyState title="Output quarantine is not switched on yet" icon="⛒">
        <p>When the output stage finds a secret or an injection attempt in a result and your policy says <Code>QUARANTINE</Code>,
          the result is withheld, kept encrypted, and listed here with the reason — for you to release or drop.</p>
        <p>Until then, results pass through the secret and PII redaction only. Nothing has been held.</p>
      </EmptyState>
    </>
  );
}

export function GatesPage() {
  return (
    <>
      <PageHeader title="Gates" subtitle="The five detection gates: their values over time, state and owner." />
      <EmptyState title="Detection gates are coming" icon="◔">
        <p>The gates from “MCP security in production” (unapproved writes, denied-call bursts, shadow servers, manifest drift, quarantines)
          will chart here and page their owner when they trip.</p>
        <p>You can already run the first gate's query yourself on the <a href="#/audit">Audit</a> page.</p>
      </EmptyState>
    </>
  );
}
