// Provider tokens with a recognisable prefix — the families gitleaks and secretlint cover.
// Every regex is sticky and starts at its anchor, so it only runs where the prefilter hit.
import { AWS_ACCESS_KEY_ID } from './aws-secret-key.js';
import { tokenCrcValid } from './checks.js';
import { tokenRule, type TokenSpec } from './token-rule.js';
import type { Rule, Severity } from './types.js';

// A failed checksum means a made-up token (docs, tests): still worth hiding, less urgent.
const crcSeverity = (prefixLen: number) => (t: string): Severity =>
  t.length - prefixLen === 36 && tokenCrcValid(t.slice(prefixLen)) ? 'high' : 'medium';

const END = '(?![A-Za-z0-9])';

// A token's open-ended run is written `X{n}X*`, never `X{n,}`: V8 keeps a stack frame per char
// a counted loop repeats, so `sk_live_` before 16 MB of base64 threw "Maximum call stack size
// exceeded" and the result was withheld; `X*` is a plain loop. A repeated group such as the SAS
// padding `(?:%3D|=)*` overflowed the same way (`&sig=` + 40 chars + 16 MB of `=`): it is the
// spec's `extend`, run in a loop.
const SPECS: TokenSpec[] = [
  // cloud
  AWS_ACCESS_KEY_ID, // aws-secret-key.ts: its secret is found next to it
  { type: 'gcp-api-key', anchors: ['AIza'], re: /AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/y },
  { type: 'gcp-oauth-token', anchors: ['ya29.'], re: /ya29\.[0-9A-Za-z_-]{30}[0-9A-Za-z_-]*/y },
  { type: 'azure-storage-key', anchors: ['AccountKey='], re: /AccountKey=[A-Za-z0-9+/]{86}==/y, before: 'any' },
  { type: 'azure-sas-signature', anchors: ['&sig=', '?sig='], re: /[&?]sig=[A-Za-z0-9%+/]{40}[A-Za-z0-9%+/]*/y, extend: /=+|(?:%3D)+/y, before: 'any', severity: 'medium' },
  { type: 'digitalocean-token', anchors: ['dop_v1_', 'doo_v1_', 'dor_v1_'], re: /do[opr]_v1_[a-f0-9]{64}/y },
  { type: 'alibaba-access-key-id', anchors: ['LTAI'], re: new RegExp(`LTAI[A-Za-z0-9]{12,20}${END}`, 'y'), severity: 'medium' },
  // VCS and CI
  { type: 'github-token', anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], re: /gh[pousr]_[A-Za-z0-9_]{36,255}/y, check: crcSeverity(4) },
  { type: 'github-fine-grained-token', anchors: ['github_pat_'], re: /github_pat_[A-Za-z0-9_]{50,255}/y },
  { type: 'gitlab-token', anchors: ['glpat-', 'glptt-', 'gldt-', 'glrt-', 'glcbt-', 'glimt-', 'glagent-', 'gloas-', 'glft-', 'glsoat-'], re: /gl(?:pat|ptt|dt|rt|cbt|imt|agent|oas|ft|soat)-[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*/y },
  { type: 'gitlab-runner-token', anchors: ['GR1348941'], re: /GR1348941[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*/y },
  { type: 'bitbucket-token', anchors: ['ATBB'], re: /ATBB[A-Za-z0-9_=.-]{32}[A-Za-z0-9_=.-]*/y },
  { type: 'atlassian-token', anchors: ['ATATT3', 'ATCTT3'], re: /AT[AC]TT3[A-Za-z0-9_=-]{50}[A-Za-z0-9_=-]*/y },
  { type: 'circleci-token', anchors: ['CCIPAT_', 'CCIPRJ_'], re: /CCIP(?:AT|RJ)_[A-Za-z0-9_]{40}[A-Za-z0-9_]*/y },
  { type: 'buildkite-token', anchors: ['bkua_'], re: /bkua_[a-f0-9]{40}/y },
  { type: 'pulumi-token', anchors: ['pul-'], re: new RegExp(`pul-[a-f0-9]{40}${END}`, 'y') },
  { type: 'doppler-token', anchors: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.'], re: /dp\.(?:pt|st|sa|ct)\.[A-Za-z0-9]{40}[A-Za-z0-9]*/y },
  { type: 'vault-token', anchors: ['hvs.', 'hvb.', 'hvr.'], re: /hv[sbr]\.[A-Za-z0-9_-]{24}[A-Za-z0-9_-]*/y, before: 'alpha' },
  { type: 'docker-token', anchors: ['dckr_pat_', 'dckr_oat_'], re: /dckr_(?:pat|oat)_[A-Za-z0-9_-]{27}[A-Za-z0-9_-]*/y },
  { type: 'databricks-token', anchors: ['dapi'], re: new RegExp(`dapi[a-fA-F0-9]{32}(?:-\\d)?${END}`, 'y'), before: 'alpha' },
  { type: 'heroku-token', anchors: ['HRKU-'], re: /HRKU-[A-Za-z0-9_-]{40}[A-Za-z0-9_-]*/y },
  { type: 'terraform-token', anchors: ['.atlasv1.'], re: /\.atlasv1\.[A-Za-z0-9_=-]{60}[A-Za-z0-9_=-]*/y, before: 'any' },
  { type: 'postman-token', anchors: ['PMAK-'], re: /PMAK-[a-f0-9]{24}-[a-f0-9]{34}/y },
  { type: 'sentry-token', anchors: ['sntrys_', 'sntryu_'], re: /sntry[su]_[A-Za-z0-9+/=_-]{40}[A-Za-z0-9+/=_-]*/y },
  { type: 'newrelic-key', anchors: ['NRAK-'], re: /NRAK-[A-Z0-9]{27}/y },
  { type: 'grafana-token', anchors: ['glc_', 'glsa_'], re: /gl(?:c_[A-Za-z0-9+/]{32}[A-Za-z0-9+/]*={0,2}|sa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})/y },
  { type: 'supabase-token', anchors: ['sbp_', 'sb_secret_'], re: /sb(?:p_[a-f0-9]{40}|_secret_[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*)/y },
  { type: 'planetscale-token', anchors: ['pscale_tkn_', 'pscale_pw_', 'pscale_oauth_'], re: /pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32}[A-Za-z0-9_.-]*/y },
  { type: 'age-secret-key', anchors: ['AGE-SECRET-KEY-1'], re: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/y },
  { type: 'cloudflare-token', anchors: ['cfat_', 'cfut_', 'cfk_'], re: new RegExp(`cf(?:at|ut|k)_[A-Za-z0-9]{48}${END}`, 'y'), before: 'alnum' },
  { type: 'vercel-token', anchors: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'], re: /vc[pirak]_[A-Za-z0-9]{24}[A-Za-z0-9]*/y, before: 'alnum' },
  { type: 'tailscale-key', anchors: ['tskey-'], re: /tskey-[a-z]+-[A-Za-z0-9]{6}[A-Za-z0-9]*-[A-Za-z0-9]{16}[A-Za-z0-9]*/y, before: 'alpha' },
  { type: 'dynatrace-token', anchors: ['dt0c01.'], re: /dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}/y },
  // chat and email
  { type: 'slack-token', anchors: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxs-', 'xoxr-', 'xoxe-', 'xoxe.'], re: /xox[a-z](?:\.xox[a-z])?-[0-9A-Za-z-]{10}[0-9A-Za-z-]*/y },
  { type: 'slack-app-token', anchors: ['xapp-'], re: /xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/y },
  { type: 'slack-webhook', anchors: ['.slack.com/'], re: /\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20}[A-Za-z0-9+/_-]*/y, before: 'any' },
  { type: 'discord-webhook', anchors: ['.com/api/webhooks/'], re: /\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{60}[A-Za-z0-9_-]*/y, before: 'any' },
  { type: 'sendgrid-key', anchors: ['SG.'], re: /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/y, before: 'any' },
  { type: 'mailgun-key', anchors: ['key-'], re: new RegExp(`key-[0-9a-f]{32}${END}`, 'y') },
  { type: 'twilio-key', anchors: ['SK'], re: new RegExp(`SK[0-9a-fA-F]{32}${END}`, 'y') },
  // payments
  { type: 'stripe-key', anchors: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'], re: /[sr]k_(?:live|test)_[A-Za-z0-9]{24}[A-Za-z0-9]*/y, before: 'alnum' },
  { type: 'stripe-webhook-secret', anchors: ['whsec_'], re: /whsec_[A-Za-z0-9+/=]{32}[A-Za-z0-9+/=]*/y },
  { type: 'square-token', anchors: ['sq0atp-', 'sq0csp-', 'EAAA'], re: /(?:sq0atp-[0-9A-Za-z_-]{22}|sq0csp-[0-9A-Za-z_-]{43}|EAAA[A-Za-z0-9_-]{60})/y },
  { type: 'braintree-token', anchors: ['$production$'], re: /\$production\$[a-z0-9]{16}\$[a-f0-9]{32}/y, before: 'any' },
  { type: 'flutterwave-key', anchors: ['FLWSECK'], re: /FLWSECK(?:_TEST)?-[a-f0-9]{32}-X/y },
  { type: 'shopify-token', anchors: ['shpss_', 'shpat_', 'shpca_', 'shppa_'], re: /shp(?:ss|at|ca|pa)_[A-Za-z0-9]{32}[A-Za-z0-9]*/y },
  { type: 'shippo-token', anchors: ['shippo_live_', 'shippo_test_'], re: /shippo_(?:live|test)_[a-f0-9]{40}/y },
  // AI providers
  { type: 'openai-key', anchors: ['sk-'], re: /sk-(?:[a-z]+-)?[A-Za-z0-9_-]{16}[A-Za-z0-9_-]*T3BlbkFJ[A-Za-z0-9_-]{16}[A-Za-z0-9_-]*/y },
  { type: 'anthropic-key', anchors: ['sk-'], re: /sk-ant-(?:api0\d|admin01|oat01|ort01)-[A-Za-z0-9_-]{80,100}AA(?![A-Za-z0-9_-])/y },
  { type: 'openrouter-key', anchors: ['sk-'], re: /sk-or-v1-[a-f0-9]{64}/y },
  { type: 'ai-provider-key', anchors: ['sk-'], re: new RegExp(`sk-[a-f0-9]{32}${END}`, 'y'), severity: 'medium' },
  { type: 'huggingface-token', anchors: ['hf_', 'api_org_'], re: new RegExp(`(?:hf|api_org)_[A-Za-z]{34}${END}`, 'y'), before: 'alnum' },
  { type: 'groq-key', anchors: ['gsk_'], re: new RegExp(`gsk_[A-Za-z0-9]{52}${END}`, 'y'), before: 'alnum' },
  { type: 'replicate-token', anchors: ['r8_'], re: new RegExp(`r8_[A-Za-z0-9]{37}${END}`, 'y') },
  { type: 'perplexity-key', anchors: ['pplx-'], re: /pplx-[A-Za-z0-9]{48}/y },
  { type: 'xai-key', anchors: ['xai-'], re: /xai-[A-Za-z0-9]{80}/y },
  { type: 'langsmith-key', anchors: ['lsv2_'], re: /lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}/y },
  { type: 'pinecone-key', anchors: ['pcsk_'], re: /pcsk_[A-Za-z0-9_]{50}[A-Za-z0-9_]*/y },
  { type: 'elevenlabs-key', anchors: ['sk_'], re: new RegExp(`sk_[a-f0-9]{48}${END}`, 'y') },
  // productivity and package registries
  { type: 'onepassword-token', anchors: ['ops_eyJ'], re: /ops_eyJ[A-Za-z0-9+/=_-]{100}[A-Za-z0-9+/=_-]*/y },
  { type: 'npm-token', anchors: ['npm_'], re: new RegExp(`npm_[A-Za-z0-9]{36}${END}`, 'y'), check: crcSeverity(4) },
  { type: 'pypi-token', anchors: ['pypi-AgEIcHlwaS5vcmc'], re: /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50}[A-Za-z0-9_-]*/y },
  { type: 'rubygems-token', anchors: ['rubygems_'], re: /rubygems_[a-f0-9]{48}/y },
  { type: 'figma-token', anchors: ['figd_'], re: /figd_[A-Za-z0-9_-]{40}[A-Za-z0-9_-]*/y },
  { type: 'linear-key', anchors: ['lin_api_'], re: /lin_api_[A-Za-z0-9]{40}/y },
  { type: 'notion-token', anchors: ['ntn_'], re: new RegExp(`ntn_\\d{11}[A-Za-z0-9]{35}${END}`, 'y'), before: 'alpha' },
  { type: 'dropbox-token', anchors: ['sl.'], re: /sl\.[A-Za-z0-9_-]{130}[A-Za-z0-9_-]*/y },
  { type: 'mapbox-secret-token', anchors: ['sk.eyJ'], re: /sk\.eyJ[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*/y },
];

export const TOKEN_RULES: Rule[] = SPECS.map(tokenRule);
