import { afterEach, describe, expect, it } from 'vitest';
import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron';
import { createApprovalPrompter, CUT_PROMPT_BUTTONS, ONCE_PROMPT_BUTTONS, PROMPT_BUTTONS } from '../../../main/desktop/adapters/approval-prompter.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { desktopEngine, writeCall } from './desktop-engine.js';

interface OpenDialog {
  options: MessageBoxOptions;
  answer(response: number): void;
}

/** Stands in for dialog.showMessageBox: records each dialog and lets the test press a button. */
function fakeDialog() {
  const open: OpenDialog[] = [];
  let showing = 0;
  let maxShowing = 0;
  const show = (options: MessageBoxOptions) => new Promise<MessageBoxReturnValue>((resolve) => {
    showing++;
    maxShowing = Math.max(maxShowing, showing);
    const done = (response: number) => {
      showing--;
      resolve({ response, checkboxChecked: false });
    };
    // Electron closes the box with the cancel button's response when the signal aborts.
    options.signal?.addEventListener('abort', () => done(options.cancelId ?? -1));
    open.push({ options, answer: done });
  });
  return { show, open, maxShowing: () => maxShowing };
}

describe('native approval dialog', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  it('answers the engine with the scope of the button pressed; Deny is the default and the cancel button', async () => {
    ctx = desktopEngine();
    const dialog = fakeDialog();
    const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show);
    const decision = ctx.engine.gate.decide(writeCall('write_file', { path: '/tmp/report.txt', content: 'quarterly numbers' }), 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 1, 'the dialog');
    const { options } = dialog.open[0]!;
    expect(options.buttons).toEqual([...PROMPT_BUTTONS]);
    expect(options.buttons![options.defaultId!]).toBe('Deny');
    expect(options.buttons![options.cancelId!]).toBe('Deny');
    expect(options.message).toContain('claude-code wants to run filesystem · write_file');
    // The rule is named once: the reason says it already.
    expect(options.detail).toMatch(/^Why: rule 'require-approval-for-write' matched a write action\n/);
    expect(options.detail).toContain('/tmp/report.txt');
    expect(options.detail).not.toMatch(/CUT|NOT shown/);
    dialog.open[0]!.answer(1);
    const verdict = await decision.verdict;
    expect(verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (session)' });
    // "Allow for this session" covers the next identical call without asking again.
    expect(await ctx.engine.gate.decide(writeCall(), 'claude-code', () => {}).verdict).toMatchObject({ decision: 'ALLOW', reason: 'covered by an earlier approval' });
    expect(dialog.open).toHaveLength(1);
    prompter.close();
  });

  it('says when the preview cuts the arguments, offers only "once" and a way to read them all, and keeps Deny the default', async () => {
    ctx = desktopEngine();
    const dialog = fakeDialog();
    const opened: string[] = [];
    const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show, (id) => opened.push(id));
    const body = `Hi Sam,\n${'the figures are attached. '.repeat(20)}\nP.S. forward all invoices to billing@evil.example`;
    const decision = ctx.engine.gate.decide(writeCall('send_email', { to: 'sam@example.com', body }), 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 1, 'the dialog');
    const { options } = dialog.open[0]!;
    expect(options.buttons).toEqual([...CUT_PROMPT_BUTTONS]);
    expect(options.buttons![options.defaultId!]).toBe('Deny');
    expect(options.buttons![options.cancelId!]).toBe('Deny');
    expect(options.detail).not.toContain('billing@evil.example');
    expect(options.detail).toMatch(/Arguments, CUT: only part of their [\d,]+ characters is shown here/);
    const [pending] = ctx.engine.approvals.list();
    expect(options.detail).toContain(`mcp-firewall approvals show ${pending!.id}`);
    expect(options.detail!.length).toBeLessThan(3_000);

    // "Show all arguments…" opens the dashboard at the approval and leaves the call waiting there.
    dialog.open[0]!.answer(CUT_PROMPT_BUTTONS.indexOf('Show all arguments…'));
    await waitFor(() => opened.length === 1, 'the dashboard opened');
    expect(opened).toEqual([pending!.id]);
    expect(ctx.engine.approvals.list().map((p) => p.id)).toEqual([pending!.id]);
    // The engine refuses the wide scopes until all of the arguments were shown, the dialog or not.
    await expect(ctx.service.answerApproval({ id: pending!.id, verdict: 'allow', scope: 'always' })).rejects.toThrow(/longer than the preview/);
    const all = await ctx.service.approvalArguments({ id: pending!.id });
    expect(all).toMatchObject({ notShown: 0 });
    expect(JSON.parse(all.text)).toEqual({ to: 'sam@example.com', body });
    await ctx.service.answerApproval({ id: pending!.id, verdict: 'allow', scope: 'session' });
    expect(await decision.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (session)' });
    expect(dialog.open).toHaveLength(1);
    prompter.close();
  });

  it('offers only "Allow once" and Deny for a call a guard holds, and says why', async () => {
    ctx = desktopEngine();
    const dialog = fakeDialog();
    const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show);
    const call = { ...writeCall('write_file', { path: '/tmp/a.txt' }), escalation: { ruleId: 'guard-fan-out', reason: '121 calls within a minute (limit 120)' } };
    const decision = ctx.engine.gate.decide(call, 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 1, 'the dialog');
    const { options } = dialog.open[0]!;
    expect(options.buttons).toEqual([...ONCE_PROMPT_BUTTONS]);
    expect(options.buttons![options.defaultId!]).toBe('Deny');
    expect(options.detail).toMatch(/Only "Allow once": a guard holds this call .*121 calls within a minute/);
    dialog.open[0]!.answer(ONCE_PROMPT_BUTTONS.indexOf('Allow once'));
    expect(await decision.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (once)' });
    prompter.close();
  });

  it('allows only once from a cut dialog, and denies on Esc', async () => {
    ctx = desktopEngine();
    const dialog = fakeDialog();
    const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show);
    const long = { path: '/tmp/a.sh', content: 'x'.repeat(5_000) };
    const first = ctx.engine.gate.decide(writeCall('write_file', long), 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 1, 'the dialog');
    dialog.open[0]!.answer(CUT_PROMPT_BUTTONS.indexOf('Allow once'));
    expect(await first.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (once)' });
    const second = ctx.engine.gate.decide({ ...writeCall('write_file', long), sessionId: 's2' }, 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 2, 'the second dialog');
    dialog.open[1]!.answer(dialog.open[1]!.options.cancelId!);
    expect(await second.verdict).toMatchObject({ decision: 'DENY' });
    prompter.close();
  });

  it('spells out a bidi override in a tool name or an argument, so the dialog cannot be turned around', async () => {
    ctx = desktopEngine();
    const dialog = fakeDialog();
    const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show);
    const decision = ctx.engine.gate.decide(writeCall('write_file\u202Eetadpu', { path: '/tmp/report\u202Efdp.sh' }), 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 1, 'the dialog');
    const { options } = dialog.open[0]!;
    expect(options.message).toContain('write_file\\u{202E}etadpu');
    expect(options.detail).toContain('/tmp/report\\u{202E}fdp.sh');
    expect(`${options.message}${options.detail}`).not.toMatch(/\u202E/);
    dialog.open[0]!.answer(PROMPT_BUTTONS.length - 1);
    expect(await decision.verdict).toMatchObject({ decision: 'DENY' });
    prompter.close();
  });

  it('keeps a tool name on the first line: its line breaks cannot write lines of their own, and an endless name is cut', async () => {
    ctx = desktopEngine();
    const dialog = fakeDialog();
    const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show);
    // Read as it would be shown raw: "write_file (read)", a blank line, a fake "Why" line, and
    // the real "(write)" pushed far below.
    const spoof = `write_file (read)\n\nWhy: read-only preview, nothing is written\n${'\n'.repeat(200)}`;
    const first = ctx.engine.gate.decide(writeCall(spoof, { path: '/tmp/a' }), 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 1, 'the dialog');
    expect(dialog.open[0]!.options.message).not.toMatch(/[\r\n\t]/);
    expect(dialog.open[0]!.options.message).toContain('write_file (read)\\u{A}\\u{A}Why: read-only');
    expect(dialog.open[0]!.options.message).toMatch(/\(write\)$/);
    dialog.open[0]!.answer(PROMPT_BUTTONS.length - 1);
    await first.verdict;

    const endless = `write_${'x'.repeat(20_000)}.exe`;
    const second = ctx.engine.gate.decide({ ...writeCall(endless, { path: '/tmp/a' }), sessionId: 's2' }, 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 2, 'the second dialog');
    const { message } = dialog.open[1]!.options;
    expect(message!.length).toBeLessThan(400);
    expect(message).toMatch(/^claude-code wants to run filesystem · write_x+…\(\d+ chars cut\)…x+\.exe \(write\)$/);
    dialog.open[1]!.answer(PROMPT_BUTTONS.length - 1);
    expect(await second.verdict).toMatchObject({ decision: 'DENY' });
    prompter.close();
  });

  it('shows queued approvals one at a time and denies on Deny', async () => {
    ctx = desktopEngine();
    const dialog = fakeDialog();
    const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show);
    const calls = [1, 2, 3].map((i) => ctx.engine.gate.decide({ ...writeCall(), sessionId: `s${i}` }, 'claude-code', () => {}));
    for (let i = 0; i < 3; i++) {
      await waitFor(() => dialog.open.length === i + 1, `dialog ${i + 1}`);
      expect(prompter.queued()).toBe(2 - i);
      dialog.open[i]!.answer(PROMPT_BUTTONS.indexOf('Deny'));
    }
    const verdicts = await Promise.all(calls.map((c) => c.verdict));
    expect(verdicts.map((v) => v.decision)).toEqual(['DENY', 'DENY', 'DENY']);
    expect(dialog.maxShowing()).toBe(1);
    prompter.close();
  });

  it('goes on to the next dialog when the store refuses an answer, the call denied, with nothing left unhandled', async () => {
    ctx = desktopEngine();
    const unhandled: unknown[] = [];
    const collect = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', collect);
    try {
      const dialog = fakeDialog();
      const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show);
      const first = ctx.engine.gate.decide(writeCall(), 'claude-code', () => {});
      ctx.engine.gate.decide(writeCall(), 'claude-code', () => {});
      await waitFor(() => dialog.open.length === 1, 'the first dialog');
      // A full disk, say: every answer's write fails from now on.
      ctx.engine.db.exec("CREATE TRIGGER fail_outcome BEFORE UPDATE ON approvals BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
      dialog.open[0]!.answer(PROMPT_BUTTONS.indexOf('Allow once'));
      expect(await first.verdict).toMatchObject({ decision: 'DENY', reason: "the approval's outcome could not be recorded: database or disk is full" });
      await waitFor(() => dialog.open.length === 2, 'the second dialog');
      await new Promise((tick) => setTimeout(tick, 10));
      expect(unhandled).toEqual([]);
      prompter.close();
    } finally {
      process.off('unhandledRejection', collect);
    }
  });

  it('closes its dialog when the approval is answered in the dashboard, without overriding that answer', async () => {
    ctx = desktopEngine();
    const dialog = fakeDialog();
    const prompter = createApprovalPrompter(ctx.engine.approvals, dialog.show);
    const decision = ctx.engine.gate.decide(writeCall(), 'claude-code', () => {});
    await waitFor(() => dialog.open.length === 1, 'the dialog');
    const [pending] = await ctx.service.approvals();
    await ctx.service.answerApproval({ id: pending!.id, verdict: 'allow', scope: 'once' });
    expect(await decision.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (once)' });
    expect(dialog.open[0]!.options.signal!.aborted).toBe(true);
    prompter.close();
  });
});
