// Tokens whose only fixed part sits in the middle, so the match starts before the anchor.
import { isAlnum, isDigit } from './checks.js';
import type { Finding, Rule } from './types.js';

function isHexLower(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102);
}

/** Telegram bot token: `123456789:AA` + 33 chars; the bot id before the colon varies. */
const telegram: Rule = {
  type: 'telegram-bot-token',
  family: 'secret',
  severity: 'high',
  anchors: [':AA'],
  match(text, at): Finding | null {
    let s = at;
    while (s > 0 && at - s < 10 && isDigit(text.charCodeAt(s - 1))) s--;
    if (at - s < 8 || (s > 0 && isAlnum(text.charCodeAt(s - 1)))) return null;
    const re = /:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/y;
    re.lastIndex = at;
    const m = re.exec(text);
    return m ? { type: this.type, family: 'secret', severity: 'high', start: s, end: at + m[0].length } : null;
  },
};

/** Mailchimp API key: 32 lowercase hex, then the datacenter suffix `-us12`. */
const mailchimp: Rule = {
  type: 'mailchimp-key',
  family: 'secret',
  severity: 'high',
  anchors: ['-us'],
  match(text, at): Finding | null {
    const s = at - 32;
    if (s < 0 || (s > 0 && isAlnum(text.charCodeAt(s - 1)))) return null;
    for (let i = s; i < at; i++) if (!isHexLower(text.charCodeAt(i))) return null;
    const re = /-us\d{1,2}(?![A-Za-z0-9])/y;
    re.lastIndex = at;
    const m = re.exec(text);
    return m ? { type: this.type, family: 'secret', severity: 'high', start: s, end: at + m[0].length } : null;
  },
};

/** Azure AD client secret: three chars, a digit, `Q~`, then 31-34 chars. */
const azureClientSecret: Rule = {
  type: 'azure-client-secret',
  family: 'secret',
  severity: 'high',
  anchors: ['Q~'],
  match(text, at): Finding | null {
    const s = at - 4;
    if (s < 0 || !isDigit(text.charCodeAt(at - 1))) return null;
    const re = /[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/y;
    re.lastIndex = s;
    const m = re.exec(text);
    if (!m || (s > 0 && /[A-Za-z0-9_~.-]/.test(text[s - 1] ?? ''))) return null;
    return { type: this.type, family: 'secret', severity: 'high', start: s, end: s + m[0].length };
  },
};

export const LOOKBACK_RULES: Rule[] = [telegram, mailchimp, azureClientSecret];
