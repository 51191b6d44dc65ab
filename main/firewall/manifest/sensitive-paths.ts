import type { CueSeverity } from './cue-types.js';

// Files whose contents are credentials or MCP/agent configuration (which holds other
// servers' secrets and lets an attacker re-route them). A tool description has no reason
// to name them; a filesystem or kube tool may legitimately mention the weaker ones.
export const SENSITIVE_PATHS: { re: RegExp; severity: CueSeverity; what: string }[] = [
  { what: 'SSH keys', severity: 'high', re: /(?:~|\$HOME|\/home\/[\w.-]{1,32}|\/root)?\/?\.ssh\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\bauthorized_keys\b/gi },
  { what: 'cloud credentials', severity: 'high', re: /\.aws\/(?:credentials|config)\b|\baws_secret_access_key\b|\.config\/gcloud\b|\.azure\/(?:credentials|accessTokens)/gi },
  { what: 'system account files', severity: 'high', re: /\/etc\/(?:passwd|shadow|sudoers|master\.passwd)\b/gi },
  { what: 'MCP / agent client config', severity: 'high', re: /\bmcp\.json\b|\bclaude_desktop_config\.json\b|\.claude\.json\b|(?:~|\$HOME)\/\.(?:cursor|claude|codeium|continue|gemini|codex)\b|\.config\/claude\b|\bApplication Support\/Claude\b/gi },
  { what: 'credential stores', severity: 'high', re: /\.netrc\b|\.npmrc\b|\.pypirc\b|\.git-credentials\b|\.docker\/config\.json\b|\.gnupg\b|\bwallet\.dat\b|\bLogin Data\b|\bkeychain-db\b|\.password-store\b/gi },
  { what: 'shell history', severity: 'high', re: /\.(?:bash|zsh|sh|python|psql|mysql|node_repl)_history\b/gi },
  { what: 'dotenv file', severity: 'medium', re: /(?:^|[\s'"`(/])\.env(?:\.[\w-]{1,20})?(?![\w/-])/g },
  { what: 'key or certificate files', severity: 'medium', re: /\.(?:pem|p12|pfx|jks|keystore)\b|\.key\s+files?\b|\/[\w.-]{1,60}\.key\b/gi },
  { what: 'kube config', severity: 'medium', re: /\.kube\/config\b/gi },
];
