import { WideScopeRefusedError } from '../approvals/approval-queue.js';
import { StaleReviewError } from '../pins/reviewed-version.js';
import { QuarantineUnreadableError } from '../quarantine/quarantine-store.js';
import { WaitingLaunchChanged } from '../registry/registry.js';
import { HttpError } from './http-util.js';

/**
 * Engine errors that refuse a request because of the state it would act on, not because it
 * was malformed or the engine failed: a scope wider than "once" for arguments nobody read in
 * full, a review of a version no longer held, a held result that no longer decrypts, an
 * approval of a launch line no longer the one waiting. The
 * caller can act on the message (read the rest, review the new diff, put the key back), so
 * they are answered 409 with it, whichever route threw them, and never as an engine fault.
 */
const CONFLICTS = [WideScopeRefusedError, StaleReviewError, QuarantineUnreadableError, WaitingLaunchChanged];

/** The status the control API and the dashboard answer for an error a route threw; 500 for anything unforeseen. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (CONFLICTS.some((conflict) => error instanceof conflict)) return 409;
  return 500;
}
