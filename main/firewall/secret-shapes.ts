// What reads as a secret in a client's config or a launch line, by its name or its shape
// (reference/client-configs.md §19). Used to report secrets to move to the keychain
// (clients/secrets.ts) and to cut them from launch lines shown in reasons
// (registry/shown-launch.ts).

const SECRET_NAME = /token|secret|key|passw(or)?d|pass$|^pass|auth|credential|dsn|connection_?string|private/i;
const SECRET_PREFIX = /^(ghp_|gho_|ghs_|github_pat_|glpat-|xox[bpas]-|sk-ant-|sk-|sk_live_|rk_live_|ntn_|secret_|AKIA|ASIA|AIza|hf_|pk_live_|eyJ[A-Za-z0-9_-]{8,}\.|Bearer\s+\S)/;

/** A variable, header, flag or query name whose value is likely a secret. */
export function nameLooksSecret(name: string): boolean {
  // PAT only as a whole word: otherwise PATH would be a "secret".
  return SECRET_NAME.test(name) || name.split(/[^A-Za-z0-9]+/).some((w) => w.toUpperCase() === 'PAT');
}

/** A value that starts as a known kind of token does (ghp_, sk-, AKIA, a JWT, `Bearer …`). */
export function hasTokenPrefix(value: string): boolean {
  return SECRET_PREFIX.test(value);
}
