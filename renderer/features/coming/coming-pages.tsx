import { EmptyState, PageHeader } from '../../ui/ui.js';

// This page waits for an engine feature still being built (the detection gates). It says
// so plainly instead of showing made-up data.

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
