#!/usr/bin/env bash
# The POP3 benchmark (not a test), against the test Dovecot over implicit TLS:
#   1. downloading 1,000 messages into a Maildir: `poste sync` side by side with mpop
#      (same server, same mail, each into an empty Maildir, messages left on the server so
#      every run downloads the same set), median of several alternating runs;
#   2. peak memory of `poste sync` downloading one 50 MB message, against one small message:
#      the message is streamed to disk, never held whole.
# usage: tests/bench_pop3.sh [COUNT] [RUNS]      (defaults 1000 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
runs=${2:-5}

tests/servers.sh install
if ! command -v mpop >/dev/null; then
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q mpop >&2
fi
cargo build --release --quiet
bin=$PWD/target/release/poste

dir=$(mktemp -d /tmp/poste-bench-pop3.XXXXXX)
chmod 755 "$dir"  # the mail daemons run as their own users and must reach the servers dir
cleanup() { tests/servers.sh stop "$dir/servers" || true; rm -rf "$dir"; }
trap cleanup EXIT
tests/servers.sh start "$dir/servers" >/dev/null
. "$dir/servers/env"
vmail_uid=$(stat -c %u "$dir/servers/mail"); vmail_gid=$(stat -c %g "$dir/servers/mail")
user=bench@localhost
python3 tests/bench/populate.py "$dir/servers/mail/$user" "$count" "$vmail_uid" "$vmail_gid" >&2

. tests/bench/lib.sh

poste_config() { # $1 user, $2 extra line
  cat > "$dir/config.toml" <<CFG
data_dir = "$dir/data"
[[accounts]]
name = "bench"
email = "$1"
protocol = "pop3"
[accounts.pop3]
host = "127.0.0.1"
port = $POSTE_TEST_POP3S_PORT
username = "$1"
password_command = "echo secret"
ca_file = "$POSTE_TEST_CA"
timeout_secs = 120
$2
CFG
}

cat > "$dir/mpoprc" <<CFG
account bench
host 127.0.0.1
port $POSTE_TEST_POP3S_PORT
tls on
tls_starttls off
tls_trust_file $POSTE_TEST_CA
auth user
user $user
passwordeval echo secret
keep on
uidls_file $dir/mpop-uidls
delivery maildir $dir/mpop-mail
CFG
chmod 600 "$dir/mpoprc"

export XDG_CACHE_HOME="$dir/cache"
poste_config "$user" "leave_on_server = true"
# one untimed run each warms Dovecot's index and the page cache
rm -rf "$dir/data"; "$bin" --config "$dir/config.toml" sync 2>/dev/null
rm -rf "$dir/mpop-mail" "$dir/mpop-uidls"; mkdir -p "$dir/mpop-mail"/{cur,new,tmp}; mpop -C "$dir/mpoprc" -q bench

poste_t=(); mpop_t=()
for i in $(seq "$runs"); do
  rm -rf "$dir/data"
  read -r t _ < <(measure "$bin" --config "$dir/config.toml" sync)
  poste_t+=("$t")
  rm -rf "$dir/mpop-mail" "$dir/mpop-uidls"; mkdir -p "$dir/mpop-mail"/{cur,new,tmp}
  read -r t _ < <(measure mpop -C "$dir/mpoprc" -q bench)
  mpop_t+=("$t")
done
poste_files=$(find "$dir/data/mail/bench/INBOX/cur" -type f | wc -l)
mpop_files=$(find "$dir/mpop-mail/new" "$dir/mpop-mail/cur" -type f | wc -l)
poste_med=$(printf '%s\n' "${poste_t[@]}" | median)
mpop_med=$(printf '%s\n' "${mpop_t[@]}" | median)
ratio=$(awk -v p="$poste_med" -v m="$mpop_med" 'BEGIN {printf "%.2f", p/m}')

# memory: one 50 MB message, then one small one, each downloaded (and deleted) by poste sync
big=large@localhost
small=small@localhost
write_one() { # $1 user, $2 body lines
  python3 - "$dir/servers/mail/$1" "$2" "$vmail_uid" "$vmail_gid" <<'PY'
import os, sys
root, lines, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for sub in ("", "cur", "new", "tmp"):
    os.makedirs(os.path.join(root, sub), exist_ok=True)
    os.chown(os.path.join(root, sub), uid, gid)
path = os.path.join(root, "new", "1.big.bench")
with open(path, "w") as f:
    f.write("From: a@bench.example\r\nTo: b@bench.example\r\nSubject: big\r\nMessage-ID: <big@bench.example>\r\n"
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
    line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n"
    for _ in range(lines):
        f.write(line)
os.chown(path, uid, gid)
PY
}
write_one "$big" 640000   # 82 bytes a line: 52 MB
write_one "$small" 20
poste_config "$big" ""
rm -rf "$dir/data"
read -r big_t big_rss < <(measure "$bin" --config "$dir/config.toml" sync)
big_size=$(find "$dir/data/mail/bench/INBOX/cur" -type f -printf '%s\n')
poste_config "$small" ""
rm -rf "$dir/data"
read -r _ small_rss < <(measure "$bin" --config "$dir/config.toml" sync)

cat <<OUT
messages on the server:        $count (poste stored $poste_files, mpop stored $mpop_files)
poste sync (UIDL, RETR each):  ${poste_med} s (median of $runs: ${poste_t[*]})
mpop (same mail, Maildir):     ${mpop_med} s (median of $runs: ${mpop_t[*]})
poste / mpop:                  ${ratio}x
one message of $((big_size / 1000000)) MB:          ${big_t} s, peak RSS $((big_rss / 1024)) MB
one small message:             peak RSS $((small_rss / 1024)) MB
OUT
