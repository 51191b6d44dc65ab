#!/usr/bin/env bash
# Runs a command against a real OS keychain on a headless Linux box: a private D-Bus
# session with gnome-keyring's Secret Service, unlocked (DESIGN.md §8).
#   bash scripts/with-keychain.sh npx vitest run --config vitest.keychain.config.ts
# The keyring files live in a throwaway directory, so a developer's own login keyring
# is never opened, unlocked with our test password or written to. An empty password
# does not work: gnome-keyring then asks a prompter, which never answers headless.
set -euo pipefail
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "with-keychain: '$tool' not found (Debian: apt-get install dbus gnome-keyring libsecret-1-dev)" >&2; exit 1; }
done
[ $# -gt 0 ] || { echo "usage: with-keychain.sh COMMAND [ARGS...]" >&2; exit 2; }
# gnome-keyring wants an existing, writable HOME even though its files go elsewhere.
[ -d "${HOME:-}" ] && [ -w "$HOME" ] || { echo "with-keychain: HOME must be an existing writable directory" >&2; exit 1; }

keyring_dir="$(mktemp -d "${TMPDIR:-/tmp}/mcpfw-keyring.XXXXXX")"
trap 'rm -rf "$keyring_dir"' EXIT
export MCPFW_KEYRING_DATA="$keyring_dir"

# Not exec'd: the trap must run after the session ends.
dbus-run-session -- sh -c '
  eval "$(printf test | XDG_DATA_HOME="$MCPFW_KEYRING_DATA" XDG_RUNTIME_DIR="$MCPFW_KEYRING_DATA" gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  exec "$@"
' with-keychain "$@"
