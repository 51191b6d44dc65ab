import { amazonQ } from './adapters/amazon-q.js';
import { claudeCode } from './adapters/claude-code.js';
import { claudeDesktop } from './adapters/claude-desktop.js';
import { cline } from './adapters/cline.js';
import { codexCli } from './adapters/codex-cli.js';
import { continueDev } from './adapters/continue.js';
import { cursor } from './adapters/cursor.js';
import { geminiCli } from './adapters/gemini-cli.js';
import { goose } from './adapters/goose.js';
import { junie } from './adapters/junie.js';
import { kiro } from './adapters/kiro.js';
import { lmStudio } from './adapters/lm-studio.js';
import { opencode } from './adapters/opencode.js';
import { rooCode } from './adapters/roo-code.js';
import { vscode } from './adapters/vscode.js';
import { windsurf } from './adapters/windsurf.js';
import { zed } from './adapters/zed.js';
import type { ClientAdapter } from './types.js';

/** Adding a client is one adapter file plus one line here. */
export const CLIENT_ADAPTERS: readonly ClientAdapter[] = [
  claudeDesktop,
  claudeCode,
  cursor,
  vscode,
  windsurf,
  zed,
  cline,
  rooCode,
  continueDev,
  geminiCli,
  codexCli,
  goose,
  lmStudio,
  opencode,
  amazonQ,
  kiro,
  junie,
];

export function findAdapter(id: string): ClientAdapter | undefined {
  return CLIENT_ADAPTERS.find((a) => a.id === id);
}
