#!/usr/bin/env bash
# The performance benchmark (not a test): fills the test Dovecot with 100,000 varied
# messages and measures
#   1. `poste sync` of that INBOX against the protocol floor (examples/imap_floor.rs:
#      the same UID FETCH over TLS, data discarded), with poste's peak RSS;
#   2. start to the first frame showing the folder from the store, offline, threaded and
#      flat, with peak RSS;
#   3. keypress to frame while scrolling through the 100,000 messages, threaded and flat;
#   4. typing in the quick filter and the search, and (up to 200,000) the offline mirror.
# usage: tests/bench.sh [COUNT]      (default 100000; past 200,000 the messages are small)
#        POSTE_BENCH_KEEP=DIR keeps the synced data dir in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
runs=3

tests/servers.sh install
cargo build --release --quiet
cargo build --release --quiet --example imap_floor
bin=$PWD/target/release/poste
floor=$PWD/target/release/examples/imap_floor

dir=$(mktemp -d /tmp/poste-bench.XXXXXX)
chmod 755 "$dir"  # the mail daemons run as their own users and must reach the servers dir
# copies, so that a build during the run does not change what is measured
cp "$bin" "$dir/poste"; cp "$floor" "$dir/imap_floor"; bin=$dir/poste; floor=$dir/imap_floor
# POSTE_BENCH_KEEP=DIR keeps the synced data dir there, to time queries on it afterwards
cleanup() {
  tmux -L poste-bench kill-server 2>/dev/null || true
  tests/servers.sh stop "$dir/servers" || true
  if [ -n "${POSTE_BENCH_KEEP:-}" ] && [ -d "$dir/data" ]; then rm -rf "$POSTE_BENCH_KEEP"; mv "$dir/data" "$POSTE_BENCH_KEEP"; fi
  rm -rf "$dir"
}
trap cleanup EXIT
tests/servers.sh start "$dir/servers" >/dev/null
. "$dir/servers/env"
user=bench@localhost
vmail_uid=$(stat -c %u "$dir/servers/mail"); vmail_gid=$(stat -c %g "$dir/servers/mail")
# past 200,000 messages, small ones: the scale run measures counts, not bytes
size=""; [ "$count" -gt 200000 ] && size=small
python3 tests/bench/populate.py "$dir/servers/mail/$user" "$count" "$vmail_uid" "$vmail_gid" $size >&2

. tests/bench/lib.sh

echo "warming Dovecot's index and cache..." >&2
$floor 127.0.0.1 "$POSTE_TEST_IMAPS_PORT" "$POSTE_TEST_CA" "$user" secret INBOX >/dev/null
$floor 127.0.0.1 "$POSTE_TEST_IMAPS_PORT" "$POSTE_TEST_CA" "$user" secret INBOX >/dev/null

floor_times=()
for i in $(seq $runs); do
  floor_times+=("$($floor 127.0.0.1 "$POSTE_TEST_IMAPS_PORT" "$POSTE_TEST_CA" "$user" secret INBOX | awk '{print $1}')")
done
floor_med=$(printf '%s\n' "${floor_times[@]}" | median)

config() { # $1 data dir, $2 port
  cat > "$dir/config.toml" <<CFG
data_dir = "$1"
[[accounts]]
name = "bench"
email = "$user"
protocol = "imap"
[accounts.imap]
host = "127.0.0.1"
port = $2
username = "$user"
password_command = "echo secret"
ca_file = "$POSTE_TEST_CA"
timeout_secs = 120
CFG
}

sync_times=(); sync_rss=()
for i in $(seq $runs); do
  rm -rf "$dir/data"
  config "$dir/data" "$POSTE_TEST_IMAPS_PORT"
  read -r t rss < <(measure "$bin" --config "$dir/config.toml" sync)
  sync_times+=("$t"); sync_rss+=("$rss")
done
sync_med=$(printf '%s\n' "${sync_times[@]}" | median)
rss_sync=$(printf '%s\n' "${sync_rss[@]}" | sort -n | tail -1)
stored=$("$bin" --config "$dir/config.toml" list --limit 1000000 | wc -l)

# an unchanged resync: a full `poste sync` (whole command), and `poste sync --folder INBOX`,
# whose folder resync is timed by poste itself (QRESYNC: one SELECT round trip)
export XDG_CACHE_HOME="$dir/cache"
resync=(); inbox_ms=(); inbox_run=()
for i in $(seq $runs); do
  read -r t _ < <(measure "$bin" --config "$dir/config.toml" sync)
  resync+=("$t")
  rm -f "$dir/cache/poste/poste.log"
  read -r t _ < <(POSTE_LOG=poste::timing=debug,info measure "$bin" --config "$dir/config.toml" sync --folder INBOX)
  inbox_run+=("$t")
  inbox_ms+=("$(grep -E 'folder="?INBOX"? ' "$dir/cache/poste/poste.log" | grep -o 'synced in [0-9.]*' | awk '{print $3}' | tail -1)")
done
resync_med=$(printf '%s\n' "${resync[@]}" | median)
inbox_med=$(printf '%s\n' "${inbox_ms[@]}" | median)
inbox_run_med=$(printf '%s\n' "${inbox_run[@]}" | median)

# marking 10,000 messages read, through the CLI (local change, queue, UID STORE)
ids=$("$bin" --config "$dir/config.toml" list --limit 10000 --json | python3 -c 'import sys, json; print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin))')
read -r mark_t _ < <(measure "$bin" --config "$dir/config.toml" flag $ids --unseen)
read -r mark_t _ < <(measure "$bin" --config "$dir/config.toml" flag $ids --seen)

# reopen offline: a closed port, the UI in tmux, timings from the log; the last run
# scrolls, and its log is kept as $dir/scroll-LABEL.log
# usage: reopen LABEL (flat or threaded: the `[ui] threaded` default); sets first_med
reopen() {
  local label=$1
  config "$dir/data" 1
  [ "$label" = threaded ] && printf '[ui]\nthreaded = true\n' >> "$dir/config.toml"
  first=()
  for i in $(seq $runs); do
    rm -f "$dir/cache/poste/poste.log"
    tmux -L poste-bench new-session -d -s b -x 120 -y 40 \
      "env XDG_CACHE_HOME=$dir/cache POSTE_LOG=poste::timing=debug,info $bin --config $dir/config.toml"
    pid=$(tmux -L poste-bench list-panes -t b -F '#{pane_pid}')
    for _ in $(seq 100); do grep -q "first frame" "$dir/cache/poste/poste.log" 2>/dev/null && break; sleep 0.1; done
    first+=("$(grep -o 'first frame with messages after [0-9.]*' "$dir/cache/poste/poste.log" | awk '{print $NF}')")
    if [ "$i" = "$runs" ]; then
      # scroll: single steps, half pages, pages, and jumps to both ends
      for _ in $(seq 300); do tmux -L poste-bench send-keys -t b j; done
      for _ in $(seq 50); do tmux -L poste-bench send-keys -t b C-d; done
      for _ in $(seq 50); do tmux -L poste-bench send-keys -t b PageDown; done
      for _ in $(seq 10); do tmux -L poste-bench send-keys -t b G; tmux -L poste-bench send-keys -t b g; done
      for _ in $(seq 100); do tmux -L poste-bench send-keys -t b k; done
      sleep 2
      cp "$dir/cache/poste/poste.log" "$dir/scroll-$label.log"
    fi
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    [ "$rss" -gt "$rss_open" ] && rss_open=$rss
    tmux -L poste-bench send-keys -t b q q q
    sleep 0.5
    tmux -L poste-bench kill-server 2>/dev/null || true
  done
  first_med=$(printf '%s\n' "${first[@]}" | median)
  first_runs="${first[*]}"
}
rss_open=0
reopen threaded
threaded_first_med=$first_med; threaded_first_runs=$first_runs
reopen flat

# typing in the UI, offline, a key every 150 ms as a person types: the quick filter `/`
# with a header word and a from:, then a search of every folder (`\`); the log gives the
# time from each key to its frame, and from each filtered list read asked to its answer
# usage: typing LOG ACTION... where ACTION is /TEXT (filter), \TEXT (search) or esc
typing() {
  local log=$1; shift
  rm -f "$dir/cache/poste/poste.log"
  tmux -L poste-bench new-session -d -s b -x 120 -y 40 \
    "env XDG_CACHE_HOME=$dir/cache POSTE_LOG=poste::timing=debug,info $bin --config $dir/config.toml"
  for _ in $(seq 100); do grep -q "first frame" "$dir/cache/poste/poste.log" 2>/dev/null && break; sleep 0.1; done
  sleep 1
  local mark; mark=$(wc -l < "$dir/cache/poste/poste.log")
  for a in "$@"; do
    case "$a" in
      esc) tmux -L poste-bench send-keys -t b Escape ;;
      /*|\\*)
        tmux -L poste-bench send-keys -t b -l "${a:0:1}"; sleep 0.3
        for c in $(printf '%s' "${a:1}" | grep -o .); do tmux -L poste-bench send-keys -t b -l "$c"; sleep 0.15; done
        [ "${a:0:1}" = '\' ] && tmux -L poste-bench send-keys -t b Enter ;;
    esac
    sleep 1.5
  done
  tail -n +"$((mark + 1))" "$dir/cache/poste/poste.log" > "$log"
  tmux -L poste-bench send-keys -t b Escape q q q
  sleep 0.5
  tmux -L poste-bench kill-server 2>/dev/null || true
}
# "median max" of the key-to-frame times (us) and the filtered list reads (us) of a log
keys_of() { grep -o 'key to frame [0-9]*' "$1" | awk '{print $4}' | sort -n | awk '{a[NR]=$1} END {printf "%s %s\n", a[int((NR+1)/2)], a[NR]}'; }
reads_of() { grep 'filtered=true' "$1" | grep -o 'list read [0-9]*' | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "%s %s\n", a[int((NR+1)/2)], a[NR]}'; }
# the same for the counts that follow the rows of a large result ("- -" when none did)
counts_of() { grep 'filtered=true' "$1" | grep -o 'list counted [0-9]*' | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "- -"; else printf "%s %s\n", a[int((NR+1)/2)], a[NR]}'; }
typing "$dir/typing.log" "/invoice" esc "/from:alice" esc '\budget'
read -r type_key_med type_key_max < <(keys_of "$dir/typing.log")
read -r type_read_med type_read_max < <(reads_of "$dir/typing.log")
read -r type_count_med type_count_max < <(counts_of "$dir/typing.log")

# the offline mirror (at most 200,000 messages): every body of the INBOX downloaded and
# indexed by `poste sync`, then a body term typed in `/` over the stored bodies
mirror_line="offline mirror:                (not run past 200,000 messages)"
body_line=""
if [ "$count" -le 200000 ]; then
  config "$dir/mirror" "$POSTE_TEST_IMAPS_PORT"
  echo 'offline = "all"' >> "$dir/config.toml"
  read -r mirror_t mirror_rss < <(measure "$bin" --config "$dir/config.toml" sync)
  bodies=$(find "$dir/mirror" -path '*/cur/*' -type f | wc -l)
  mirror_line="offline mirror, poste sync:    ${mirror_t} s for $count headers and $bodies bodies ($(awk -v n="$bodies" -v t="$mirror_t" 'BEGIN {printf "%.0f", n / t}') bodies/s), peak RSS $((mirror_rss / 1024)) MB"
  config "$dir/mirror" 1
  typing "$dir/typing-body.log" "/body:budget" esc "/budget"
  read -r body_key_med body_key_max < <(keys_of "$dir/typing-body.log")
  read -r body_read_med body_read_max < <(reads_of "$dir/typing-body.log")
  read -r body_count_med body_count_max < <(counts_of "$dir/typing-body.log")
  body_line="typing body terms ($bodies bodies): key to frame median ${body_key_med} us, max ${body_key_max} us; filtered reads median ${body_read_med} us, max ${body_read_max} us; their counts median ${body_count_med} us, max ${body_count_max} us"
fi
# "count median p99 max" of the key-to-frame times (us) of a scrolling log
scroll_keys() {
  grep -o 'key to frame [0-9]*' "$1" | awk '{print $4}' | sort -n |
    awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; printf "%s %s %s %s\n", NR, a[int((NR+1)/2)], a[i], a[NR]}'
}
read -r nkeys key_med key_p99 key_max < <(scroll_keys "$dir/scroll-flat.log")
read -r tnkeys tkey_med tkey_p99 tkey_max < <(scroll_keys "$dir/scroll-threaded.log")

ratio=$(awk -v s="$sync_med" -v f="$floor_med" 'BEGIN {printf "%.2f", s/f}')
cat <<OUT
messages in INBOX:             $count (poste stored $stored)
protocol floor (UID FETCH):    ${floor_med} s (median of $runs: ${floor_times[*]})
poste sync:                    ${sync_med} s (median of $runs: ${sync_times[*]}) = ${ratio}x the floor
peak RSS during sync:          $((rss_sync / 1024)) MB
unchanged full sync, command:  ${resync_med} s (median of $runs: ${resync[*]}; start, TLS, login, LIST-STATUS)
unchanged INBOX resync:        ${inbox_med} ms (median of $runs: ${inbox_ms[*]}; the folder's SELECT with QRESYNC)
  the whole command:           ${inbox_run_med} s (median of $runs: ${inbox_run[*]})
mark 10,000 read (poste flag): ${mark_t} s
start to first frame, offline: ${first_med} ms (median of $runs: ${first_runs})
  threaded:                    ${threaded_first_med} ms (median of $runs: ${threaded_first_runs})
peak RSS reopened + scrolling: $((rss_open / 1024)) MB
keypress to frame ($nkeys keys): median ${key_med} us, p99 ${key_p99} us, max ${key_max} us
  threaded ($tnkeys keys):       median ${tkey_med} us, p99 ${tkey_p99} us, max ${tkey_max} us
typing in / and \\ (headers):    key to frame median ${type_key_med} us, max ${type_key_max} us; filtered reads median ${type_read_med} us, max ${type_read_max} us
  the counts after the rows:   median ${type_count_med} us, max ${type_count_max} us
$mirror_line
$body_line
OUT
