#!/usr/bin/env bash
# Runs a command against a real, throwaway Postgres cluster:
#   bash scripts/with-postgres.sh npx vitest run --config vitest.postgres.config.ts
# The cluster lives in a temporary directory, listens on a free port on 127.0.0.1 (and a
# private socket directory, never the system's), asks for a password over TCP so the
# URL's password is really used, and is stopped and deleted when the command ends,
# whatever its outcome. The command gets:
#   MCPFW_PG_URL   postgres://USER:PASSWORD@127.0.0.1:PORT/postgres (password URL-encoded)
#   MCPFW_PG_PORT  the port, so a test can also aim at a port where nothing listens
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: with-postgres.sh COMMAND [ARGS...]" >&2; exit 2; }

bindir="${MCPFW_PG_BINDIR:-}"
if [ -z "$bindir" ]; then
  # Debian keeps the server binaries off PATH, one directory per major version.
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$bindir" ] || bindir="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"
fi
[ -x "$bindir/initdb" ] && [ -x "$bindir/pg_ctl" ] || {
  echo "with-postgres: initdb/pg_ctl not found (Debian: apt-get install postgresql; or set MCPFW_PG_BINDIR)" >&2
  exit 1
}

# initdb refuses to run as root: as root (CI), the cluster belongs to the 'postgres' user
# the Debian package creates.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "with-postgres: running as root needs a 'postgres' user to own the cluster" >&2; exit 1; }
  as_owner=(runuser -u postgres --)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mcpfw-pg.XXXXXX")"
cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/socket"
if [ ${#as_owner[@]} -gt 0 ]; then
  chown -R postgres: "$work"
  "${as_owner[@]}" test -w "$work" || { echo "with-postgres: the postgres user cannot enter $work (point TMPDIR at a directory it can reach)" >&2; exit 1; }
fi

user=mcpfw
# Hex plus an '@' and a '/', so the URL's percent-encoding is exercised too.
password="pw@$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')/x"
password_url="$(printf '%s' "$password" | sed -e 's/@/%40/g' -e 's#/#%2F#g')"
printf '%s\n' "$password" >"$work/pwfile"
[ ${#as_owner[@]} -eq 0 ] || chown postgres: "$work/pwfile"
chmod 600 "$work/pwfile"

"${as_owner[@]}" "$bindir/initdb" -D "$work/data" -U "$user" --pwfile="$work/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync >"$work/initdb.log" 2>&1 || {
  cat "$work/initdb.log" >&2
  exit 1
}

free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}
# Another process may take the port between our probe and the server's bind: try again.
started=""
for _ in 1 2 3; do
  port="$(free_port)"
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $work/socket -c fsync=off -c full_page_writes=off" start >/dev/null; then
    started=1
    break
  fi
done
[ -n "$started" ] || { echo "with-postgres: the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

export MCPFW_PG_URL="postgres://$user:$password_url@127.0.0.1:$port/postgres"
export MCPFW_PG_PORT="$port"
# Not exec'd: the trap must stop the server after the command.
"$@"
