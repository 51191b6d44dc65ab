import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeHome, removeHome, startEngine, type EngineOptions, type RunningEngine } from './engine-harness.js';

export interface ClientHome {
  userHome: string;
  configFile: string;
  /** HOME and XDG_CONFIG_HOME pointing at the temp home, for the CLI and serve. */
  env: { HOME: string; XDG_CONFIG_HOME: string };
}

/** A temp user home holding a Claude Desktop config (Linux location) with exactly `text`. */
export function makeClaudeDesktopHome(text: string): ClientHome {
  const userHome = makeHome();
  const dir = join(userHome, '.config', 'Claude');
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'claude_desktop_config.json');
  writeFileSync(configFile, text);
  return { userHome, configFile, env: { HOME: userHome, XDG_CONFIG_HOME: join(userHome, '.config') } };
}

/** One stdio server entry as a user writes it, with paths escaped for JSON. */
export function stdioEntry(name: string, command: string, args: string[], env?: Record<string, string>): string {
  const fields = [`"command": ${JSON.stringify(command)}`, `"args": ${JSON.stringify(args)}`];
  if (env) fields.push(`"env": ${JSON.stringify(env)}`);
  return `${JSON.stringify(name)}: { ${fields.join(', ')} }`;
}

export interface EngineWithClientHome extends ClientHome {
  engine: RunningEngine;
  /** The engine's env plus the temp user's HOME: what the CLI and a client would run with. */
  clientEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * A real `serve` whose user (HOME) is a temp home holding a Claude Desktop config with `text`.
 * `prepare` writes whatever else the home holds before `serve` starts: an unprotected entry
 * written once it runs is one its config watch reports as a shadow server (and pages for).
 */
export async function startEngineWithClientHome(text: string, options: EngineOptions = {}, prepare?: (home: ClientHome) => void): Promise<EngineWithClientHome> {
  const home = makeClaudeDesktopHome(text);
  prepare?.(home);
  const engine = await startEngine({ ...options, env: home.env, cwd: home.userHome });
  return {
    ...home,
    engine,
    clientEnv: engine.env,
    async stop() {
      await engine.stop();
      removeHome(engine.home);
      removeHome(home.userHome);
    },
  };
}
