import type { CallInfo } from '../ipc/protocol.js';
import { exactDigestOf } from '../jsonrpc/canonical.js';
import { memberSource } from '../jsonrpc/json-scan.js';
import { sha256Hex } from '../jsonrpc/sha256.js';

/** The source text of a tools/call's arguments (the whole message when it cannot be read apart). */
function argumentsText(text: string): string {
  const params = memberSource(text, 'params');
  return (params === undefined ? undefined : memberSource(params, 'arguments')) ?? text;
}

/**
 * The digest an "always" approval and the guards remember the arguments by: canonical (key
 * order does not matter) unless a number was rounded on parsing, when two argument sets the
 * server tells apart (9007199254740993 and …992, 0.1 and 0.1000000000000000000001) would share
 * it; those are digested as written (`raw:` never starts canonical JSON, so the two kinds
 * cannot collide). Their text goes to the approver too: the parsed arguments would show a
 * number other than the one the server gets.
 */
export function argumentsDigest(args: unknown, text: string): Pick<CallInfo, 'argsDigest' | 'argumentsSource'> {
  let source: string | undefined;
  const sourceText = () => (source ??= argumentsText(text));
  const exact = exactDigestOf(args, sourceText);
  if (exact !== null) return { argsDigest: exact };
  return { argsDigest: `sha256:${sha256Hex(`raw:${sourceText()}`)}`, argumentsSource: sourceText() };
}
