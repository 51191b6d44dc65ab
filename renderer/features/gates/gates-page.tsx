import type { GateView } from '../../../preload/contract.js';
import { useResource } from '../../api/api.js';
import { Badge, EmptyState, ErrorBanner, formatTime, PageHeader } from '../../ui/ui.js';
import { Sparkline } from './sparkline.js';

export function formatGateValue(gate: Pick<GateView, 'unit' | 'value'>): string {
  return gate.unit === 'ratio' ? `${(gate.value * 100).toFixed(gate.value < 0.1 ? 2 : 1)}%` : String(gate.value);
}

function GateCard({ gate }: { gate: GateView }) {
  const first = gate.series[0];
  return (
    <section className={`card gate ${gate.paging ? 'gate-paging' : ''}`} aria-labelledby={`gate-${gate.id}`}>
      <header className="card-head">
        <div>
          <h2 id={`gate-${gate.id}`}>{gate.name}</h2>
          <p className="muted small">Owner: <strong>{gate.owner}</strong></p>
        </div>
        <Badge value={gate.paging ? 'PAGING' : 'OK'} title={gate.paging ? `Pages ${gate.owner}` : 'Within target'} />
      </header>
      <div className="gate-body">
        <div className="gate-value">
          <span className="gate-number" aria-label={`${gate.name} value`}>{formatGateValue(gate)}</span>
          <span className="muted small">{gate.detail}</span>
        </div>
        <figure className="gate-chart">
          <Sparkline points={gate.series} unit={gate.unit} paging={gate.paging} label={`${gate.name} over the last two hours`} />
          <figcaption className="muted small">{first ? `Last 2 hours, since ${formatTime(first.at)}` : ''}</figcaption>
        </figure>
      </div>
      <dl className="gate-facts small">
        <div><dt>Target</dt><dd>{gate.target}</dd></div>
        <div><dt>Pages when</dt><dd>{gate.pageCondition}</dd></div>
      </dl>
    </section>
  );
}

export function GatesPage() {
  const gates = useResource((api) => api.gates(), ['gates', 'activity']);
  const paging = gates.data?.gates.filter((g) => g.paging) ?? [];
  return (
    <>
      <PageHeader
        title="Gates"
        subtitle="The five detection gates from “MCP security in production”, computed from the audit trail. A gate that trips pages its owner."
        actions={<button type="button" className="btn" onClick={gates.reload}>Refresh</button>}
      />
      <ErrorBanner message={gates.error} />
      {paging.length > 0 ? (
        <div className="banner banner-error" role="alert">
          {paging.length === 1 ? `${paging[0]!.name} is paging ${paging[0]!.owner}.` : `${paging.length} gates are paging.`} Look at the Activity and Audit pages for the calls behind it.
        </div>
      ) : null}
      {gates.data && gates.data.gates.length === 0 ? (
        <EmptyState title="No gates">
          <p>This engine reports no detection gates.</p>
        </EmptyState>
      ) : (
        <div className="gate-grid">
          {gates.data?.gates.map((gate) => <GateCard key={gate.id} gate={gate} />)}
        </div>
      )}
      {gates.data ? <p className="muted small">Evaluated at {formatTime(gates.data.evaluatedAt)}. Gates are strict on purpose during rollout; tuning thresholds comes later.</p> : null}
    </>
  );
}
