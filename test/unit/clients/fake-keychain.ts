// The keychain as protect --move-secrets and unprotect see it, in a Map ('server/NAME').

/** The real keychain adapter (Secrets.adopt) refuses to overwrite a different value. */
export function fakeKeychain() {
  const items = new Map<string, string>();
  return {
    items,
    async moveSecret(server: string, name: string, value: string) {
      const existing = items.get(`${server}/${name}`);
      if (existing !== undefined && existing !== value) throw new Error(`the keychain already holds a different ${name} for '${server}'`);
      items.set(`${server}/${name}`, value);
    },
    readSecret: async (server: string, name: string) => items.get(`${server}/${name}`) ?? null,
  };
}
