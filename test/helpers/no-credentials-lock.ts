import type { CredentialsLock } from '../../main/firewall/identity/credentials-lock.js';

/**
 * For tests with one process and no other writer of the credentials: the work runs at once.
 * Production code has no such lock to reach for; every path there is handed the data dir's.
 */
export const noCredentialsLock: CredentialsLock = (_what, work) => work();
