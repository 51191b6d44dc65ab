// Public surface of the client-config adapters, for the CLI, the engine and the desktop app.
export { CLIENT_ADAPTERS, findAdapter } from './registry.js';
export { discover, expandProjectDirs, type Discovery, type LoadedFile } from './discover.js';
export { scanClients, type ScanDeps, type ScanResult, type ScanRow } from './scan.js';
export { protectClients, protectFiles, repointStaleRoutes, type EditDeps, type EditOptions, type EditReport, type EntryResult, type EntryOutcome } from './protect.js';
export { unprotectClients } from './unprotect.js';
export { buildWrapLaunch, decodeWrapLaunch, launchFingerprint, urlFingerprint } from './wrap-line.js';
export { mask } from './secrets.js';
export { watchClientConfigs, type ConfigWatch, type ConfigWatchHooks } from './watch.js';
export type * from './types.js';
