#!/usr/bin/env bash
# The search benchmark (not a test): poste against notmuch (Debian's package) on the same
# COUNT messages (default 100,000, the mix of tests/bench/populate.py), in one run:
#   1. indexing: `poste import` of the Maildir into a local folder (copies each file,
#      fsyncs it, stores its row and indexes headers and body in one transaction) against
#      `notmuch new` (indexes the files where they are);
#   2. the same five queries: a word, a phrase, a from:, a date range, a word with
#      is:unread; `poste search --local-only` against `notmuch search --output=messages`,
#      best of 5 whole commands each, and the number of results of each;
#   3. the size of each index.
# usage: tests/bench_search.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
runs=5

if ! command -v notmuch >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y -q notmuch >/dev/null
fi
cargo build --release --quiet
bin=$PWD/target/release/poste
. tests/bench/lib.sh

dir=$(mktemp -d /tmp/poste-bench-search.XXXXXX)
trap 'rm -rf "$dir"' EXIT
python3 tests/bench/populate.py "$dir/mail/bench" "$count" "$(id -u)" "$(id -g)" >&2

cat > "$dir/config.toml" <<CFG
data_dir = "$dir/data"
[[accounts]]
name = "box"
email = "bench@localhost"
protocol = "pop3"
[accounts.pop3]
host = "127.0.0.1"
port = 1
username = "bench@localhost"
password = "unused"
CFG
cat > "$dir/notmuch-config" <<CFG
[database]
path=$dir/mail
[user]
name=Bench
primary_email=bench@localhost
[new]
tags=unread;inbox;
[maildir]
synchronize_flags=true
CFG
export NOTMUCH_CONFIG=$dir/notmuch-config
export XDG_CACHE_HOME=$dir/cache

read -r poste_index _ < <(measure "$bin" --config "$dir/config.toml" import --account box --folder Bench "$dir/mail/bench")
read -r notmuch_index _ < <(measure notmuch new --quiet)

# the same question in each language
queries=(
  "word|budget|budget"
  "phrase|\"dolor sit amet\"|\"dolor sit amet\""
  "from|from:alice|from:alice"
  "date range|after:2026-06-01 before:2026-07-01|date:2026-06-01..2026-06-30"
  "word, unread|café is:unread|café tag:unread"
)
best() { # best of $runs whole commands, in ms
  local t b=""
  for _ in $(seq $runs); do
    read -r t _ < <(measure "$@")
    b=$(awk -v a="$t" -v b="$b" 'BEGIN {print (b == "" || a < b) ? a : b}')
  done
  awk -v t="$b" 'BEGIN {printf "%.0f", t * 1000}'
}
rows=()
for q in "${queries[@]}"; do
  IFS='|' read -r label pq nq <<<"$q"
  pt=$(best "$bin" --config "$dir/config.toml" search --local-only --limit 10000000 "$pq")
  nt=$(best notmuch search --output=messages "$nq")
  pn=$("$bin" --config "$dir/config.toml" search --local-only --limit 10000000 --json "$pq" | wc -l)
  nn=$(notmuch count "$nq")
  rows+=("$(printf '| %s | `%s` | %s ms (%s) | %s ms (%s) | %s |' "$label" "$pq" "$pt" "$pn" "$nt" "$nn" \
    "$(awk -v p="$pt" -v n="$nt" 'BEGIN {printf "%.2f", p / n}')")")
done

poste_size=$(du -sk "$dir/data/index.sqlite3" | awk '{print $1}')
notmuch_size=$(du -sk "$dir/mail/.notmuch" | awk '{print $1}')
cat <<OUT
messages: $count
indexing: poste import ${poste_index} s, notmuch new ${notmuch_index} s ($(awk -v p="$poste_index" -v n="$notmuch_index" 'BEGIN {printf "%.2f", p / n}')x)
index size: poste $((poste_size / 1024)) MB (index.sqlite3, rows and full-text index), notmuch $((notmuch_size / 1024)) MB (.notmuch)

| query | poste query | poste (results) | notmuch (results) | poste / notmuch |
| --- | --- | --- | --- | --- |
$(printf '%s\n' "${rows[@]}")
OUT
