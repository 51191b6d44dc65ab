// Every CLI verb is a function of its arguments and an IO object, never of process
// globals, so commands can be tested in-process and the shim can own real stdio alone.
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Returns the process exit code. */
export type CommandHandler = (args: string[], io: CliIo) => Promise<number>;

export class UsageError extends Error {}
