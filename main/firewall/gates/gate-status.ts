// What one of the seed's five detection gates reads now. No imports, so the dashboard's
// contract (preload/contract-status.ts) can share it without pulling in the engine.
export interface GateStatus {
  id: string;
  name: string;
  target: string;
  pageCondition: string;
  owner: string;
  /** The measured value over the gate's window (a count, or a ratio 0..1). */
  value: number;
  unit: 'count' | 'ratio';
  windowMinutes: number;
  paging: boolean;
  detail: string;
}
