// `mcp-firewall classify [FILE|-] [--json]`: runs the output-stage detectors on any text and
// prints what the firewall would find and do — the same code the shim runs on results.
// Values are never printed: a classifier that echoes secrets would leak them into logs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inspectText, maskedPreview } from '../../firewall/output/index.js';
import { type CliIo, type CommandHandler, UsageError } from '../command.js';

export const CLASSIFY_USAGE = 'usage: mcp-firewall classify [FILE|-] [--json]\n  Reads FILE (or stdin for "-" or no FILE), prints each finding and the verdict.\n';

export type StdinReader = () => Promise<string>;

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The stdin reader is injected so the handler can be tested without process globals. */
export function createClassifyCommand(readStdin: StdinReader = readProcessStdin): CommandHandler {
  return async (args: string[], io: CliIo): Promise<number> => {
    let json = false;
    let file: string | undefined;
    for (const a of args) {
      if (a === '--json') json = true;
      else if (a === '-h' || a === '--help') {
        io.stdout(CLASSIFY_USAGE);
        return 0;
      } else if (a.startsWith('-') && a !== '-') throw new UsageError(`classify: unknown option ${a}\n${CLASSIFY_USAGE}`);
      else if (file !== undefined) throw new UsageError(`classify: one input at most\n${CLASSIFY_USAGE}`);
      else file = a;
    }
    let text: string;
    try {
      text = file === undefined || file === '-' ? await readStdin() : await readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (err) {
      io.stderr(`classify: cannot read ${file ?? 'stdin'}: ${(err as Error).message}\n`);
      return 1;
    }
    const verdict = inspectText(text);
    const rows = verdict.spans.map((f) => ({
      type: f.type, family: f.family, severity: f.severity, start: f.start, end: f.end,
      preview: maskedPreview(text.slice(f.start, f.end)),
    }));
    if (json) {
      io.stdout(`${JSON.stringify({ verdict: verdict.action, findings: rows })}\n`);
      return 0;
    }
    for (const r of rows) io.stdout(`${r.severity.padEnd(6)} ${r.family.padEnd(9)} ${r.type.padEnd(28)} ${r.start}-${r.end}  ${r.preview}\n`);
    const by = (fam: string) => rows.filter((r) => r.family === fam).length;
    io.stdout(`verdict: ${verdict.action} (${rows.length} findings: ${by('secret')} secret, ${by('pii')} pii, ${by('injection')} injection)\n`);
    return 0;
  };
}

export const classifyCommand: CommandHandler = createClassifyCommand();
