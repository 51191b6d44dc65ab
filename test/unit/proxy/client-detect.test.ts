import { describe, expect, it } from 'vitest';
import { clientIdFromInfo } from '../../../main/firewall/proxy/client-detect.js';

describe('the client named from its clientInfo', () => {
  it('maps the names the known clients send', () => {
    expect(clientIdFromInfo('claude-ai')).toBe('claude-desktop');
    expect(clientIdFromInfo('claude-code')).toBe('claude-code');
    expect(clientIdFromInfo('Claude Code')).toBe('claude-code');
    expect(clientIdFromInfo('cursor-vscode')).toBe('cursor');
    expect(clientIdFromInfo('Cursor')).toBe('cursor');
    expect(clientIdFromInfo('Visual Studio Code')).toBe('vscode');
    expect(clientIdFromInfo('Visual Studio Code - Insiders')).toBe('vscode');
    expect(clientIdFromInfo('windsurf-client')).toBe('windsurf');
    expect(clientIdFromInfo('Zed')).toBe('zed');
  });

  it('keeps any other name as its slug, though it contains a known one, so a policy on "ci-*" matches it', () => {
    expect(clientIdFromInfo('ci-dockerized-agent')).toBe('ci-dockerized-agent');
    expect(clientIdFromInfo('ci-claude-runner')).toBe('ci-claude-runner');
    expect(clientIdFromInfo('ci-cursorless')).toBe('ci-cursorless');
    expect(clientIdFromInfo('My Bot (claude-code fork)')).toBe('my-bot-claude-code-fork-');
    expect(clientIdFromInfo('')).toBe('unknown');
  });
});
