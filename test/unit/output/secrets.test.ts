import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createScanner, detect, isCleanLine } from '../../../main/firewall/output/index.js';
import { eightfoldGrowth, LINEAR_EIGHTFOLD } from '../../helpers/relative-time.js';
import { found, githubStyleToken, types } from './helpers.js';

describe('provider tokens', () => {
  it('rates a GitHub token with a valid CRC32 checksum high and a made-up one medium', () => {
    const real = githubStyleToken('ghp_', 'R7mK2pQx9vLw4ZsT8bNc3YhJ6dFg1A');
    const fake = 'ghp_R7mK2pQx9vLw4ZsT8bNc3YhJ6dFg1A000000';
    expect(detect(`token ${real}`)).toMatchObject([{ type: 'github-token', severity: 'high' }]);
    expect(detect(`token ${fake}`)).toMatchObject([{ type: 'github-token', severity: 'medium' }]);
  });

  it('checks npm tokens with the same checksum scheme', () => {
    const real = githubStyleToken('npm_', 'Xb3kP9qR2sT7vW1yZ4aC6dE8fG0hJ5');
    expect(detect(`//registry.npmjs.org/:_authToken=${real}`)).toMatchObject([{ type: 'npm-token', severity: 'high' }]);
  });

  it.each([
    ['aws-access-key-id', 'aws_access_key_id = AKIAZ3MUOHLQ4XPRTN2W'],
    ['slack-token', 'SLACK_BOT=xoxb-23984754863-2348975623000-AAAAANzjawSSE9krECohd'],
    ['slack-webhook', 'https://hooks.slack.com/services/T11111AA/BAAAA111A/qKirRWalryBGqKirRWalryBG'],
    ['stripe-key', 'key: sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['openai-key', 'sk-proj-f5UKZNwZTgzRb8ZucIrNqT3BlbkFJBYX7TPseHaYE6r3ljpCB'],
    ['anthropic-key', `sk-ant-api03-${'z0zjHHXo5uibD2havvfqiZYJe9ENlwI1trcQC4pyRC2N2w6nbpUitUU_iR4kkSszVyUpINaxvCtun3_Mub0O3w-48GXRg'}AA`],
    ['huggingface-token', 'HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh'],
    ['gitlab-token', 'glpat-aBcDeFgHiJkLmNoPqRsT'],
    ['gcp-api-key', 'key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'],
    ['sendgrid-key', 'SG.APhb3zgjtx3hajdas1TjBB.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313-L5528K'],
    ['telegram-bot-token', 'bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq'],
    ['twilio-key', 'SK2a9f4b1c3d5e7f9a0b2c4d6e8f0a1b2c'],
    ['onepassword-token', `ops_eyJ${'a'.repeat(120)}`],
  ])('finds a %s', (type, text) => {
    expect(types(text)).toContain(type);
  });

  it('finds tokens whose body is cut by _ and - every few chars, on raw lines too', () => {
    const dense = ['glpat-abcd_efgh-ijkl_mnop-qrst', 'dckr_pat_ab-cd_ef-gh_ij-kl_mn-op_qr-st_uv', `github_pat_11AB${'_CDEF'.repeat(11)}`];
    expect(dense.map((t) => types(`token ${t}`)[0])).toEqual(['gitlab-token', 'docker-token', 'github-fine-grained-token']);
    for (const t of dense) expect(createScanner().isCleanJson(JSON.stringify({ result: { text: `token ${t}` } }))).toBe(false);
  });

  it('scans text full of token-like runs in linear time (a server cannot stall the shim with one)', () => {
    // Each run used to search the whole rest of the text for every plain anchor: 176 KB took 6 s,
    // and eight times the runs took ~60 times as long.
    const runs = (n: number) => `${'id x_abcdefghijklmnop '.repeat(n)}dckr_pat_${'a'.repeat(30)}`;
    expect(types(runs(4_000))).toEqual(['docker-token']);
    expect(eightfoldGrowth(detect, runs, 500)).toBeLessThan(LINEAR_EIGHTFOLD);
  });

  it('requires a token boundary: a prefix glued to a word is not a token', () => {
    expect(types('xsk_live_AAAAAAAAAAAAAAAAAAAAAAAA wordgsk_aBcDeFgHiJkLmNoPqRsT1234567890abcdefghijklmnopqrstuv')).toEqual([]);
  });

  it('takes a percent-escape for a boundary: a token inside a URL-encoded URL is still a token', () => {
    const github = githubStyleToken('ghp_', 'R7mK2pQx9vLw4ZsT8bNc3YhJ6dFg1A');
    const log = `302 /login?next=${encodeURIComponent(`/api?access_token=${github}&key=AKIAZ3MUOHLQ4XPRTN2W`)} Authorization%3A%20Bearer%20sk_live_4eC39HqLyjWDarjtT1zdp7dc`;
    expect(found(log)).toEqual([['github-token', github], ['aws-access-key-id', 'AKIAZ3MUOHLQ4XPRTN2W'], ['stripe-key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc']]);
    // Only an escape: a hex pair with no `%` before it is still a word the prefix is glued to.
    expect(types('3Dsk_live_AAAAAAAAAAAAAAAAAAAAAAAA x%3GAKIAZ3MUOHLQ4XPRTN2W')).toEqual([]);
  });
});

describe('provider tokens of 16 MB', () => {
  // Their `{n,}` runs overflowed V8's stack on 8 MB or more and the result was withheld as unchecked.
  const line = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj';
  const big = line.repeat((16 << 20) / line.length);
  it.each([
    ['stripe-key', 'sk_live_'], ['gcp-oauth-token', 'ya29.'], ['gitlab-token', 'glpat-'], ['vault-token', 'hvs.'],
    ['slack-token', 'xoxb-'], ['bitbucket-token', 'ATBB'], ['grafana-token', 'glc_'], ['dropbox-token', 'sl.'],
  ])('redacts a %s whole', (type, prefix) => {
    const text = `x ${prefix}${big}`;
    expect(detect(text)).toMatchObject([{ type, start: 2, end: text.length }]);
  });
});

describe('an Azure SAS signature with 16 MB of padding', () => {
  // `(?:%3D|=)*` overflowed V8's regex stack on millions of repeats and the result was withheld as unchecked.
  it.each([['=', '='], ['=%3D', '=%3D']])('redacts it whole when the padding is %s repeated', (_name, unit) => {
    const text = `https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=${'AbCd'.repeat(10)}${unit.repeat((16 << 20) / unit.length)}`;
    const start = text.indexOf('&sig=');
    expect(detect(text)).toMatchObject([{ type: 'azure-sas-signature', start, end: text.length }]);
  });
});

describe('structured secrets', () => {
  it('finds a PEM private key, including one inside a JSON string with \\n escapes', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj';
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n${body}\n-----END RSA PRIVATE KEY-----`;
    expect(found(`key:\n${pem}\n`)).toEqual([['private-key', pem]]);
    expect(types(`{"private_key": "-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n"}`)).toEqual(['private-key']);
  });

  it('redacts a key header followed by 16 MB of base64 without an end line instead of failing the scan', () => {
    // The body regex overflowed V8's stack from ~8 MB on, and the result was withheld as unchecked.
    const line = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj';
    const lines = Math.ceil((16 << 20) / (line.length + 1));
    for (const [head, newline] of [['-----BEGIN PRIVATE KEY-----\n', '\n'], ['"-----BEGIN PRIVATE KEY-----\\n', '\\n']] as const) {
      const text = `${head}${`${line}${newline}`.repeat(lines)}"`;
      const start = head.startsWith('"') ? 1 : 0;
      expect(detect(text)).toMatchObject([{ type: 'private-key', start, end: text.length - 1 }]);
    }
  });

  it('redacts a bearer token or a JWT signature of 16 MB instead of failing the scan', () => {
    // `{20,}` and `{16,}` overflowed V8's stack on a run of 8 MB or more.
    const line = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj';
    const big = line.repeat((16 << 20) / line.length);
    const bearer = `Authorization: Bearer ${big}`;
    expect(detect(bearer)).toMatchObject([{ type: 'authorization-header', start: 22, end: bearer.length }]);
    const jwt = `jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${big}`;
    expect(detect(jwt)).toMatchObject([{ type: 'jwt', start: 4, end: jwt.length }]);
  });

  it('ignores a PEM header with no key material (documentation)', () => {
    expect(types('-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----')).toEqual([]);
  });

  it('finds a JWT whose header is long (kid and x5t, as Auth0 and Azure AD issue them)', () => {
    const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const header = b64url({ alg: 'RS256', typ: 'JWT', kid: 'nOo3ZDrODXEK1jKWhXslHR_KXEg', x5t: 'nOo3ZDrODXEK1jKWhXslHR_KXEg' });
    expect(header.length).toBeGreaterThan(96);
    const jwt = `${header}.${b64url({ sub: '1234567890', aud: 'api://default' })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
    expect(found(`session jwt=${jwt}`)).toEqual([['jwt', jwt]]);
  });

  it('finds a JWT whose header decodes to JSON, not any eyJ-looking string', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    expect(found(`jwt=${jwt}`)).toEqual([['jwt', jwt]]);
    expect(types('eyJzZWNyZXQ.eyJub3QgYSBqd3Q.aaaaaaaaaaaaaaaaaaaaaa')).toEqual([]);
  });

  it('redacts only the password of a URL with credentials', () => {
    expect(found('DATABASE_URL=postgres://app:S3cr3tPassw0rd!@db.prod.internal:5432/app')).toEqual([
      ['database-connection-string', 'S3cr3tPassw0rd!'],
    ]);
    expect(found('see https://deploy:r3alP4ssw0rd@ci.example.net/hook')).toEqual([['url-credentials', 'r3alP4ssw0rd']]);
  });

  it('leaves templates, placeholders and local default logins alone', () => {
    for (const url of [
      'postgres://user:password@localhost/db',
      'mysql://${DB_USER}:${DB_PASS}@db:3306/x',
      'mongodb://admin:pass@localhost:27017',
      'https://YOUR_USERNAME:YOUR_PASSWORD@api.service.com',
      'postgres://postgres:postgres@db:5432/app',
    ]) expect(types(url)).toEqual([]);
  });

  it('finds generic key=value secrets with enough entropy, by the name they are assigned to', () => {
    expect(found('AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYz4Q9vLk2Tq')).toEqual([
      ['generic-secret', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYz4Q9vLk2Tq'],
    ]);
    expect(found('{"client_secret": "9f8e7d6c5b4a3f2e1d0c"}')).toEqual([['generic-secret', '9f8e7d6c5b4a3f2e1d0c']]);
    expect(found('mysql --user=doadmin --password=strongp@55! --host=db')).toEqual([['generic-secret', 'strongp@55!']]);
  });

  it('finds a secret whose name is set in markdown italics or bold', () => {
    expect(found('_secret_: x9Kq2mLp7Rz4wT')).toEqual([['generic-secret', 'x9Kq2mLp7Rz4wT']]);
    expect(found('__secret__: x9Kq2mLp7Rz4wT')).toEqual([['generic-secret', 'x9Kq2mLp7Rz4wT']]);
    expect(found('**password**: hunter2-long-value')).toEqual([['generic-secret', 'hunter2-long-value']]);
    expect(found('- *Password* = hunter2-long-value')).toEqual([['generic-secret', 'hunter2-long-value']]);
    expect(found('**Password:** hunter2-long-value')).toEqual([['generic-secret', 'hunter2-long-value']]);
    expect(found('_api_key_ = sk9fjK2lqP0zXc7vBn3mQw')).toEqual([['generic-secret', 'sk9fjK2lqP0zXc7vBn3mQw']]);
    // The raw-line prefilter sends such a result to the parse.
    expect(isCleanLine(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: '**password**: hunter2-long-value' }] } }))).toBe(false);
  });

  // CLIs and dashboards print a secret's name as words: `API key:`, `Secret access key:`, `Client secret:`.
  it('finds a secret whose name is written as words, a plain key qualified by the word before it', () => {
    const v = '8f3a9c2e7b1d4f6a0c5e9b2d7f1a3c8e';
    for (const t of [
      `API key: ${v}`, `**API key**: ${v}`, `_API key_: ${v}`, `Secret key = ${v}`, `Private key: ${v}`, `Secret access key: ${v}`,
      `Subscription key:\t${v}`, `{"API key": "${v}"}`, `Access token: ${v}`, `Client secret: ${v}`, `DB password: ${v}`,
    ]) expect(found(t), t).toEqual([['generic-secret', v]]);
    // The raw-line prefilter already sends `key:` to the parse.
    expect(isCleanLine(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `API key: ${v}` }] } }))).toBe(false);
    // A PEM block after the name is the private-key rule's, whole.
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aumcdkbZHFYHKRaqeDyg8g0PXc\n-----END RSA PRIVATE KEY-----';
    expect(found(`Private key: ${pem}`)).toEqual([['private-key', pem]]);
  });

  it('leaves prose, unset, masked and word values after a worded name alone', () => {
    const v = '8f3a9c2e7b1d4f6a0c5e9b2d7f1a3c8e';
    for (const t of [
      'the API key is stored in the vault', 'Secret key rotation: enabled', 'Access token: none', 'API key: <your-api-key>',
      'API key: ********', 'Access token: expired', 'Client secret: (not set)', 'API key: not-configured', 'API key: sk-****3c8e',
      'API key: ••••••••••••3c8e', 'Encryption key: AES-256-GCM', 'Signing key: RS256', 'Private key: see ~/.ssh/id_ed25519',
      // Not a secret's name: no qualifier, a public key, a database's keys.
      `Key: ${v}`, `Public key: ${v}`, `Public API key: ${v}`, `Primary key: ${v}`, `Sort key: ${v}`, `the key: ${v}`,
    ]) expect(found(t), t).toEqual([]);
  });

  it('reads a snake_case name in emphasis as the name it is, and a value opening with _ or * whole', () => {
    // The name is still judged by its last word: these name no secret, in emphasis or not.
    for (const t of ['my_secret_name: x9Kq2mLp7Rz4wT', '_my_secret_name_: x9Kq2mLp7Rz4wT', '**secret_santa**: x9Kq2mLp7Rz4wT', '_the secret_: ingredient']) {
      expect(found(t), t).toEqual([]);
    }
    // Only emphasis closing before a space is skipped: a value's own leading `_` or `*` is part of it.
    expect(found('password: __Xy9!abcd')).toEqual([['generic-secret', '__Xy9!abcd']]);
    expect(found('password=*Xy9!abcd')).toEqual([['generic-secret', '*Xy9!abcd']]);
  });

  it('ends the value of a URL query parameter at the next parameter', () => {
    expect(found('https://app.example.com/cb?access_token=Xk9vQ2mLp7Rz8wT4&state=af0ifjsldkj&next=%2Fhome#top')).toEqual([['generic-secret', 'Xk9vQ2mLp7Rz8wT4']]);
    expect(found('https://app.example.com/cb?state=1&token=Xk9vQ2mLp7Rz8wT4#top')).toEqual([['generic-secret', 'Xk9vQ2mLp7Rz8wT4']]);
    // Outside a query string `&` and `#` may be part of a password.
    expect(found('DB_PASSWORD=Xk9v&Q2m#Lp7R')).toEqual([['generic-secret', 'Xk9v&Q2m#Lp7R']]);
  });

  // An STS session token runs to 600-1,200 base64 chars and more, URL-encoded longer still; the
  // value was cut at 512 chars and the rest of the token left in the text.
  it('redacts a long session token whole: unquoted, as a query parameter, or quoted in JSON', () => {
    const token = base64Run(1100);
    const encoded = encodeURIComponent(token);
    expect(encoded.length).toBeGreaterThan(1100);
    expect(found(`aws_session_token = ${token}\nregion = us-east-1`)).toEqual([['generic-secret', token]]);
    expect(found(`https://b.s3.amazonaws.com/k?X-Amz-Security-Token=${encoded}&x-id=GetObject`)).toEqual([['generic-secret', encoded]]);
    expect(found(`{"SessionToken": "${token}", "Expiration": "2025-01-01T00:00:00Z"}`)).toEqual([['generic-secret', token]]);
    expect(found(`export AWS_SESSION_TOKEN='${token}'`)).toEqual([['generic-secret', token]]);
  });

  it('redacts one token up to 16 KB, and takes a long quoted value holding spaces for no token', () => {
    const huge = base64Run(20_000);
    expect(detect(`token=${huge}`)[0]).toMatchObject({ type: 'generic-secret', start: 6, end: 6 + 16_384 });
    expect(detect(`{"token": "${huge}"}`)[0]).toMatchObject({ type: 'generic-secret', start: 11, end: 11 + 16_384 });
    expect(found(`{"token": "${'Xk9vQ2mLp7Rz8wT4 and more words '.repeat(20)}"}`)).toEqual([]);
  });

  it('reads long lines without spaces in linear time', () => {
    // A value is judged on its first 512 chars whatever its length; one taken for a secret is read
    // to its end once, and the scan resumes after it. A long quoted value is read to its quote once.
    const shapes = [`token=${base64Run(20_000)}`, `"token":"${base64Run(600)}`, `"token":"${base64Run(600)} x"`];
    for (const unit of shapes) {
      const text = (bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));
      expect(eightfoldGrowth(detect, text, 40_000), unit.slice(0, 12)).toBeLessThan(LINEAR_EIGHTFOLD);
    }
  });

  it('does not take the shell\'s working directory (PWD in every environment dump) for a password, but does a DB_PWD', () => {
    expect(found('PWD=/home/alice/src\nOLDPWD=/tmp\n{"PWD": "/usr/local/lib", "pwd": "C:\\\\Users\\\\al"}')).toEqual([]);
    expect(found('DB_PWD=S3cr3t-pa55')).toEqual([['generic-secret', 'S3cr3t-pa55']]);
  });

  it('does not treat ordinary code about tokens and passwords as secrets', () => {
    const code = [
      'const token = getToken(req);',
      'const apiKey = config.apiKey;',
      'password: string;',
      'max_tokens: 1024, token_count = 55, tokenizer: "cl100k_base"',
      '"next_page_token": "CAESBggBEAEYAQ"',
      'if (password === confirmPassword) return;',
      'DOTENV_PUBLIC_KEY="037cfbfc90234cfdab7eb54050566293789efaa1a35dc420749662db400dc9c4b2"',
    ].join('\n');
    expect(found(code)).toEqual([]);
  });

  it('finds the data of a Kubernetes Secret manifest', () => {
    const yaml = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\ndata:\n  tls.key: MWYyZDFlMmU2N2Rm\n  user: YWRtaW4=\n';
    expect(found(yaml)).toEqual([['k8s-secret', '\n  tls.key: MWYyZDFlMmU2N2Rm\n  user: YWRtaW4=']]);
    expect(types(yaml.replace('kind: Secret', 'kind: ConfigMap'))).toEqual([]);
    // kubectl's key order puts `data` before `kind`; each document of a list is judged on its own.
    const two = `kind: ConfigMap\ndata:\n  a: b\n---\ndata:\n  token: c2VjcmV0dG9rZW4=\nkind: Secret\n---\n${yaml}`;
    expect(found(two)).toEqual([['k8s-secret', '\n  token: c2VjcmV0dG9rZW4='], ['k8s-secret', '\n  tls.key: MWYyZDFlMmU2N2Rm\n  user: YWRtaW4=']]);
    expect(found('{\n  "data": {"password": "aHVudGVyMg=="},\n  "kind": "Secret"\n}')).toEqual([['k8s-secret', '"password": "aHVudGVyMg=="']]);
  });

  // A file read from line 2, or page 2 of a paged read, holds the key's primes without its BEGIN line.
  describe('a private key read without its BEGIN line', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().trimEnd();
    const lines = pem.split('\n');
    const bodyLines = lines.slice(1, -1);
    const leaked = (text: string) => {
      let shown = text;
      for (const f of detect(text).reverse()) shown = shown.slice(0, f.start) + '[REDACTED]' + shown.slice(f.end);
      return bodyLines.filter((l) => shown.includes(l.slice(-40)));
    };
    const line = (text: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } });

    it('redacts the body from the line after BEGIN through the END line', () => {
      const fromLine2 = lines.slice(1).join('\n');
      expect(found(`${fromLine2}\n`)).toEqual([['private-key', fromLine2]]);
      expect(isCleanLine(line(fromLine2))).toBe(false);
    });

    it('redacts page 2 of a paged read (lines 10 to the end)', () => {
      const page2 = lines.slice(9).join('\n');
      expect(types(page2)).toEqual(['private-key']);
      expect(leaked(page2)).toEqual([]);
      expect(isCleanLine(line(page2))).toBe(false);
    });

    it('redacts numbered lines as `cat -n` or a read_file tool prints them', () => {
      for (const sep of ['\t', '\u2192', ': ', '| ']) {
        const numbered = lines.slice(1).map((l, i) => `${String(i + 2).padStart(6)}${sep}${l}`).join('\n');
        expect(types(numbered), JSON.stringify(sep)).toEqual(['private-key']);
        expect(leaked(numbered), JSON.stringify(sep)).toEqual([]);
      }
    });

    it('redacts a body indented as deep as nested YAML puts it, line numbers in front or not', () => {
      // A Kubernetes Secret's `stringData` in a Helm chart, a kustomize patch: 16, 20 spaces.
      for (const indent of [8, 16, 20, 40]) {
        const pad = ' '.repeat(indent);
        const yaml = `tls.key: |\n${lines.slice(1).map((l) => pad + l).join('\n')}\n`;
        expect(types(yaml), `${indent}`).toEqual(['private-key']);
        expect(leaked(yaml), `${indent}`).toEqual([]);
        const numbered = lines.slice(1).map((l, i) => `${String(i + 2).padStart(6)}\t${'\t'.repeat(indent >> 3)}${pad}${l}`).join('\n');
        expect(types(numbered), `numbered ${indent}`).toEqual(['private-key']);
        expect(leaked(numbered), `numbered ${indent}`).toEqual([]);
      }
    });

    it('scans END lines behind long runs of spaces in linear time', () => {
      const unit = `${' '.repeat(200)}-----END RSA PRIVATE KEY-----`;
      const text = (bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));
      expect(types(text(200_000))).toEqual([]);
      expect(eightfoldGrowth(detect, text, 25_000)).toBeLessThan(LINEAR_EIGHTFOLD);
    });

    it('redacts a body with \\n escapes inside a JSON string (a service-account file read from the middle)', () => {
      const json = `{"private_key": "${lines.slice(3).join('\\n')}\\n", "client_email": "a@b.iam.gserviceaccount.com"}`;
      expect(types(json)).toEqual(['private-key', 'email']);
      expect(leaked(json)).toEqual([]);
    });

    it('redacts the private lines of a PuTTY key read without its first lines', () => {
      const b64 = bodyLines.slice(0, 14);
      const tail = `${b64.slice(0, 6).join('\n')}\nPrivate-Lines: 8\n${b64.slice(6).join('\n')}\nPrivate-MAC: 2f4a1c9d7b3e8f60a5d2c1b4e7f9a0c3d6b8e1f2\n`;
      expect(types(tail)).toEqual(['private-key']);
      const redacted = found(tail)[0]![1];
      for (const l of b64.slice(6)) expect(redacted).toContain(l);
      // The public lines above `Private-Lines:` are the public key: left alone.
      expect(redacted).not.toContain(b64[0]);
      expect(isCleanLine(line(tail))).toBe(false);
      // Read from within the private lines, the rest of them up to the MAC.
      expect(leaked(b64.slice(9).join('\n') + '\nPrivate-MAC: 2f4a1c9d7b3e8f60a5d2c1b4e7f9a0c3d6b8e1f2')).toEqual([]);
    });

    it('leaves an END line after prose, a placeholder or a short stub alone, and base64 without an END line', () => {
      for (const text of [
        'Paste the key you were given here, it starts with the header line and ends with\n-----END PRIVATE KEY-----',
        '...\n-----END RSA PRIVATE KEY-----',
        'MIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
        '-----END CERTIFICATE-----\n',
        `${bodyLines.slice(0, 8).join('\n')}\n-----END CERTIFICATE-----`,
        'Private-MAC: 2f4a1c9d7b3e8f60a5d2c1b4e7f9a0c3d6b8e1f2',
      ]) expect(types(text), text).toEqual([]);
    });
  });

  it('scans text full of key headers and manifest kinds in linear time', () => {
    // Each header searched the rest of the text for its end line (or its document's data):
    // 400 KB of them took 5-13 s, and eight times the text ~60 times as long.
    for (const unit of ['-----BEGIN RSA PRIVATE KEY-----\n', 'PuTTY-User-Key-File-2 ', 'kind: Secret\n', '-----END RSA PRIVATE KEY-----\n']) {
      const text = (bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));
      expect(types(text(200_000)), unit).toEqual([]);
      expect(eightfoldGrowth(detect, text, 25_000), unit).toBeLessThan(LINEAR_EIGHTFOLD);
    }
  });

  it('walks back from each key end line over the body before it only, in linear time', () => {
    const b64 = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n';
    // Each walk stops at the end line before it: walking on, every end line cost the whole text before it.
    for (const unit of [`${b64}-----END RSA PRIVATE KEY-----\n`, `${b64}Private-MAC: 00\n`, `${b64.repeat(3)}-----END PRIVATE KEY-----`]) {
      const text = (bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));
      expect(eightfoldGrowth(detect, text, 25_000), unit).toBeLessThan(LINEAR_EIGHTFOLD);
    }
  });
});

/** `n` chars of base64, the same on every run (an STS session token's alphabet, `/` and `+` included). */
function base64Run(n: number): string {
  let s = '';
  for (let i = 0; s.length < n; i++) s += createHash('sha256').update(String(i)).digest('base64').slice(0, 43);
  return s.slice(0, n);
}
