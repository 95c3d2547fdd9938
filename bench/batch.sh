#!/usr/bin/env bash
# Batch benchmark (issue 7): tlsaudit --quick over 10,000 loopback TLS
# endpoints against the limit of a Go client — bench/bare, which only dials
# and completes crypto/tls handshakes over the same list at the same
# concurrency. Prints handshakes per second of both, the ratio (goal ≥ 0.8)
# and the peak RSS (goal < 200 MiB), at 1k, 10k and 100k targets (the 100k
# list repeats the 10k endpoints) to show memory stays flat. CPU ms per
# target (user+sys) of each side is printed too: on a shared machine it is
# steadier than wall time, which the load average (printed) drives.
# Everything stays on 127.0.0.0/8. Slow (minutes): never run in CI.
# --distinct: every endpoint serves its own leaf certificate (issued by one
# test CA) instead of all sharing one, so tlsaudit's per-certificate caches
# (parses, signature checks, zlint) cannot help across targets.
# Usage: bench/batch.sh [-c CONCURRENCY] [-n ENDPOINTS] [--sizes "1000 10000 100000"] [--distinct]
set -euo pipefail
cd "$(dirname "$0")/.."
C=64
N=10000
SIZES="1000 10000 100000"
DISTINCT=""
while [ $# -gt 0 ]; do
  case "$1" in
    -c) C="$2"; shift ;;
    -n) N="$2"; shift ;;
    --sizes) SIZES="$2"; shift ;;
    --distinct) DISTINCT=-distinct ;;
    *) echo "usage: $0 [-c CONCURRENCY] [-n ENDPOINTS] [--sizes LIST] [--distinct]" >&2; exit 2 ;;
  esac
  shift
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time not installed (apt-get install time)" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((N + 2 * C + 100)) ] || { echo "bench: ulimit -n $(ulimit -n) is too low for $N listeners" >&2; exit 2; }

W=$(mktemp -d)
cleanup() { [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
go build -o "$W/tlsaudit" ./cmd/tlsaudit
go build -o "$W/bare" ./bench/bare
go build -o "$W/batchserver" ./bench/batchserver

MAX=0
for s in $SIZES; do [ "$s" -gt "$MAX" ] && MAX=$s; done
"$W/batchserver" $DISTINCT -n "$N" -list "$W/all.txt" -targets "$MAX" > "$W/srv.out" 2>&1 &
SRV=$!
for _ in $(seq 100); do grep -q ready "$W/srv.out" 2>/dev/null && break; sleep 0.2; done
grep -q ready "$W/srv.out" || { cat "$W/srv.out" >&2; exit 1; }

printf '%-8s %12s %12s %7s %14s %14s %12s %12s %s\n' targets "bare hs/s" "tlsaudit/s" ratio "bare RSS MiB" "tlsaudit MiB" "bare cpu ms" "ta cpu ms" "load avg"
for s in $SIZES; do
  head -n "$s" "$W/all.txt" > "$W/list.txt"
  /usr/bin/time -f '%e %M %U %S' -o "$W/bare.time" "$W/bare" -list "$W/list.txt" -c "$C" > "$W/bare.out"
  /usr/bin/time -f '%e %M %U %S' -o "$W/ta.time" "$W/tlsaudit" --quick --format jsonl --concurrency "$C" \
    --system-store=false --targets "$W/list.txt" > "$W/out.jsonl" 2> "$W/ta.err" || true
  ok=$(grep -c '"status":"ok"' "$W/out.jsonl" || true)
  recs=$(wc -l < "$W/out.jsonl")
  [ "$recs" -eq "$s" ] || echo "bench: $recs records for $s targets" >&2
  read -r be bk bu bs < "$W/bare.time"
  read -r te tk tu ts < "$W/ta.time"
  bhs=$(awk -v n="$s" -v e="$be" 'BEGIN{printf "%.0f", n/e}')
  ths=$(awk -v n="$ok" -v e="$te" 'BEGIN{printf "%.0f", n/e}')
  printf '%-8s %12s %12s %7s %14s %14s %12s %12s %s\n' "$s" "$bhs" "$ths" "$(awk -v a="$ths" -v b="$bhs" 'BEGIN{printf "%.2f", a/b}')" \
    "$(awk -v k="$bk" 'BEGIN{printf "%.1f", k/1024}')" "$(awk -v k="$tk" 'BEGIN{printf "%.1f", k/1024}')" \
    "$(awk -v u="$bu" -v y="$bs" -v n="$s" 'BEGIN{printf "%.2f", (u+y)*1000/n}')" \
    "$(awk -v u="$tu" -v y="$ts" -v n="$s" 'BEGIN{printf "%.2f", (u+y)*1000/n}')" "$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$ok" -ne "$s" ]; then echo "bench: tlsaudit: $ok of $s targets ok; first errors:" >&2; head -3 "$W/ta.err" >&2; fi
done
