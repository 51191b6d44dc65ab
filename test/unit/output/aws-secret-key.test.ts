import { describe, expect, it } from 'vitest';
import { AWS_SECRET_WINDOW } from '../../../main/firewall/output/aws-secret-key.js';
import { createScanner, detect, inspectResultLine, redactText } from '../../../main/firewall/output/index.js';
import { eightfoldGrowth, LINEAR_EIGHTFOLD } from '../../helpers/relative-time.js';
import { found } from './helpers.js';

const ID = 'AKIA3XAMPLE7QWERTYUI';
const SECRET = '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';
const ID2 = 'ASIAZ3MUOHLQ4XPRTN2W';
const SECRET2 = 'q9/Lk2TqR7mKpQx9vLw4ZsT8bNc3YhJ6dFg1A0Bz';
const pair = (...v: string[]): Array<[string, string]> =>
  v.map((x) => [x.startsWith('A') && x.length === 20 ? 'aws-access-key-id' : 'aws-secret-access-key', x]);

describe('an AWS secret access key next to its access key id', () => {
  it('is found after the key id or before it, with no keyword naming it', () => {
    expect(found(`created ${ID} ${SECRET}`)).toEqual(pair(ID, SECRET));
    expect(found(`${SECRET}\n${ID}`)).toEqual(pair(SECRET, ID));
  });

  it('is found in a row of the IAM console credentials.csv', () => {
    const csv = `User name,Password,Access key ID,Secret access key,Console login link\nbob,,${ID},${SECRET},https://123456789012.signin.aws.amazon.com/console\n`;
    expect(found(csv)).toEqual(pair(ID, SECRET));
  });

  it('is found in JSON whose fields do not name it, and named as an AWS secret where they do', () => {
    expect(found(JSON.stringify([{ id: ID, created: '2026-01-05' }, { value: SECRET }]))).toEqual(pair(ID, SECRET));
    // `aws iam create-access-key` prints the secret first; the assignment rule found it as a generic secret.
    const created = JSON.stringify({ AccessKey: { UserName: 'bob', Status: 'Active', SecretAccessKey: SECRET, AccessKeyId: ID } }, null, 4);
    expect(found(created)).toEqual(pair(SECRET, ID));
    expect(detect(created)[0]).toMatchObject({ type: 'aws-secret-access-key', severity: 'high' });
  });

  it('is found for each pair of a listing, whichever comes first', () => {
    expect(found(`${ID} ${SECRET}\n${ID2} ${SECRET2}\n`)).toEqual(pair(ID, SECRET, ID2, SECRET2));
    expect(found(`${SECRET} ${ID}\n${SECRET2} ${ID2}\n`)).toEqual(pair(SECRET, ID, SECRET2, ID2));
  });

  it('is looked for only within the window around the key id', () => {
    const at = (gap: number) => found(`${ID}${' '.repeat(gap)}${SECRET}`).map(([t]) => t);
    expect(at(AWS_SECRET_WINDOW)).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
    expect(at(AWS_SECRET_WINDOW + 1)).toEqual(['aws-access-key-id']);
    expect(found(`${SECRET} ${'x'.repeat(8)}`)).toEqual([]); // no key id: a 40-char run alone is nothing
    expect(found(`AKIA3XAMPLE7QWERTYUIX ${SECRET}`)).toEqual([]); // not a key id
  });

  it('leaves a git SHA-1, a 40-letter name and runs of other lengths near a key id alone', () => {
    for (const near of [
      'da39a3ee5e6b4b0d3255bfef95601890afd80709', // commit hashes, either case
      'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709',
      'AbstractSingletonProxyFactoryBeanConfigs', // a word, no digit or + /
      'AbAbAbAbAbAbAbAbAbAbAbAbAbAbAbAbAbAbAb12', // few distinct chars
      `${SECRET}Q`, // 41 chars: part of a longer value
      `x_${SECRET}`, // glued to a base64url token
      `${SECRET}=`, // padded base64 of something else
    ]) {
      expect(found(`commit ${near} ${ID}`), near).toEqual(pair(ID));
      expect(found(`${ID}, ${near}`), near).toEqual(pair(ID));
    }
  });

  // S3 tools print presigned URLs, whose credential carries the key id: a 40-char stretch of the
  // host and path, or a config path in an env listing, was reported as the secret (high).
  // A 40-char base64 value whose label names it a digest is that digest, whatever stands near it.
  it('leaves a run labelled as a checksum, hash or signature alone, and looks on for the secret', () => {
    const digest = 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0ab1cD3eF4gH5i';
    for (const labelled of [
      `"Checksum": "${digest}"`, `ETag: ${digest}`, `x-amz-checksum-sha1=${digest}`, `"ContentMD5":"${digest}"`,
      `file_hash = ${digest}`, `\\"Digest\\": \\"${digest}\\"`, `sha256sum: ${digest}`, `Signature=${digest}`,
    ]) {
      expect(found(`{"AccessKeyId": "${ID}", ${labelled}}`), labelled).toEqual(pair(ID));
      expect(found(`${labelled}\n${ID}`), labelled).toEqual(pair(ID));
    }
    expect(found(`{"AccessKeyId": "${ID}", "Checksum": "${digest}", "SecretAccessKey": "${SECRET}"}`)).toEqual(pair(ID, SECRET));
    expect(found(`{"SecretAccessKey": "${SECRET}", "Checksum": "${digest}", "AccessKeyId": "${ID}"}`)).toEqual(pair(SECRET, ID));
  });

  it('is still found under the labels of the layouts that print it', () => {
    const aws = (text: string) => detect(text).filter((f) => f.type === 'aws-secret-access-key').map((f) => text.slice(f.start, f.end));
    for (const layout of [
      `[default]\naws_access_key_id = ${ID}\naws_secret_access_key = ${SECRET}\n`,
      `AWS_ACCESS_KEY_ID=${ID}\nAWS_DEFAULT_REGION=us-east-1\nAWS_SECRET_ACCESS_KEY=${SECRET}\n`,
      JSON.stringify({ Credentials: { AccessKeyId: ID, SecretAccessKey: SECRET, SessionToken: 'x', Expiration: 'y' } }, null, 2),
      `| ${ID} | ${SECRET} |`,
      `key: ${ID}\nsecret: ${SECRET}`,
    ]) expect(aws(layout), layout).toEqual([SECRET]);
  });

  it('leaves a URL or a file path near a key id alone', () => {
    const presigned = `https://acme-reports.s3.amazonaws.com/Finance/2026/November/QuarterlyRpt12.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ID2}%2F20261125%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Expires=3600`;
    expect(found(presigned).map(([t]) => t)).toEqual(['aws-access-key-id']);
    expect(found(`AWS_ACCESS_KEY_ID=${ID2}\nAWS_CONFIG_FILE=/Users/Alice/Work/Config/AwsProfiles2222\n`)).toEqual(pair(ID2));
    expect(found(`AccessKeyId: ${ID2}\nSource: https://github.com/AcmeCorp/InfraTerraform/blob/main/xy.tf`)).toEqual(pair(ID2));
    // A dot glues only into a name: a key ending a sentence, or keys holding `/`, are still found.
    expect(found(`${ID} ${SECRET}. Rotate it.`)).toEqual(pair(ID, SECRET));
    expect(found(`${ID2}\n${SECRET2}\n`)).toEqual(pair(ID2, SECRET2));
    const slashed = 'Xk3/Lk2TqR7mKp/x9vLw4ZsT8bN/3YhJ6dFg1A0Bz';
    expect(found(`${ID} ${slashed.slice(0, 40)}`)).toEqual(pair(ID, slashed.slice(0, 40)));
  });

  // A presigned URL's credential is the key id and its scope (date, region, service): read as a
  // `credential=` assignment, its value ran on over every later parameter of the query string.
  it('finds only the key id in a presigned URL or a SigV4 Authorization header, leaving the other parameters', () => {
    const rest = '&X-Amz-Date=20250101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=9f2b8c3d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef12345';
    const v4 = `https://bucket.s3.amazonaws.com/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ID}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request${rest}`;
    expect(found(v4)).toEqual(pair(ID));
    expect(redactText(v4, detect(v4))).toContain(`=[REDACTED:aws-access-key-id]%2F20250101%2Fus-east-1%2Fs3%2Faws4_request${rest}`);
    const header = `Authorization: AWS4-HMAC-SHA256 Credential=${ID}/20250101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=9f2b8c3d4e5f6071`;
    expect(found(header)).toEqual(pair(ID));
    expect(found(`https://bucket.s3.amazonaws.com/key?AWSAccessKeyId=${ID}&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D&Expires=1735689600`)).toEqual(pair(ID));
    // Signed with temporary credentials, the URL carries the session token: a secret, up to the next parameter.
    const token = 'IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQD7';
    expect(found(`${v4}&X-Amz-Security-Token=${token}&x-id=GetObject`)).toEqual([...pair(ID), ['generic-secret', token]]);
  });

  it('leaves the AWS documentation example alone, as the assignment rule does', () => {
    // placeholders.ts treats docs examples as no secret; AWS marks its samples with EXAMPLE.
    const docs = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(found(`AKIAIOSFODNN7EXAMPLE ${docs}`)).toEqual(pair('AKIAIOSFODNN7EXAMPLE'));
    expect(found(`aws_secret_access_key = ${docs}`)).toEqual([]);
  });

  it('is found on a raw result line and in JSON-as-text with its / escaped', () => {
    const line = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `${ID} ${SECRET2}` }] } });
    const v = inspectResultLine(line, { quarantineOnPrivateKey: false, quarantineSecretCount: 1e9, quarantinePiiCount: 1e9 });
    expect(v.findings.map((f) => f.type)).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
    expect(JSON.stringify(v.redacted)).not.toContain(SECRET2);
    // PHP's json_encode writes `/` as `\/`, which cuts the run unless decoded first.
    const phpJson = `{"k":"${ID}","s":"${SECRET2.replaceAll('/', '\\/')}"}`;
    expect(createScanner().detect(phpJson).map((f) => f.type)).toEqual(['aws-access-key-id']);
    expect(found(phpJson).map(([t]) => t)).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
    const asText = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: phpJson }] } });
    expect(inspectResultLine(asText).findings.map((f) => f.type)).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
  });

  it('costs linear time in text dense with key ids and 40-char runs', () => {
    const unit = `${ID} ${SECRET} ${'a1B2'.repeat(10)} `;
    const text = (bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));
    expect(detect(text(10_000)).filter((f) => f.type === 'aws-secret-access-key').length).toBeGreaterThan(0);
    expect(eightfoldGrowth(detect, text, 50_000)).toBeLessThan(LINEAR_EIGHTFOLD);
  });
});
