#!/usr/bin/env bash
# Hostile-behaviour benchmark: peak RSS and wall time of one tlsaudit run
# per hostile server of scan/tlstest (started on 127.0.0.1 by the scan
# package's test binary, which serves a kind named in
# TLSAUDIT_TEST_HOSTILE_SERVER) and per hostile input (diff of /dev/zero, a
# 10,000-certificate bundle in inspect, --concurrency 1000000). Each server
# kind is audited in full (--timeout 30s) and with --quick (--timeout 2s);
# the table shows the record's status, the exit code, wall seconds, CPU
# seconds (user+sys) and peak RSS in MiB.
# BASELINE=/path/to/tlsaudit runs an older build on the same cases next to
# this one (its --concurrency 1000000 case only with BASELINE_ALL=1: it took
# 2.5 GB). Everything stays on 127.0.0.0/8. Takes a few minutes; never run
# in CI.
# Usage: bench/hostile.sh [KIND...]   (default: every kind below)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time not installed (apt-get install time)" >&2; exit 2; }
KINDS=${*:-"same-name-chain mega-certificate hellorequest-flood zero-key-share control-chars huge-chain many-certs hrr-loop alert-flood drip silent"}

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
go build -o "$W/tlsaudit" ./cmd/tlsaudit
go test -c -o "$W/hostile.test" ./scan/
BINS="new=$W/tlsaudit"
[ -n "${BASELINE:-}" ] && BINS="$BINS old=$BASELINE"
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %-6s %-4s %-18s %4s %7s %7s %8s\n' behaviour mode bin status exit wall_s cpu_s rss_mib

# measure LABEL MODE BIN ARGS...: one run under /usr/bin/time.
measure() {
  local label=$1 mode=$2 bin=$3; shift 3
  local name=${bin%%=*} path=${bin#*=}
  local out="$W/out.json" tm="$W/time"
  local code=0
  /usr/bin/time -o "$tm" -f "%e %U %S %M" timeout 300 "$path" "$@" >"$out" 2>"$W/err" || code=$?
  local status
  status=$(python3 -c 'import json,sys
try:
    d=json.load(open(sys.argv[1])); print(d[0]["status"] if isinstance(d,list) and d else "-")
except Exception: print("-")' "$out")
  read -r wall usr sys rss < <(tail -n1 "$tm")
  printf '%-20s %-6s %-4s %-18s %4s %7s %7.2f %8.1f\n' "$label" "$mode" "$name" "$status" "$code" "$wall" \
    "$(echo "$usr + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)"
}

# The same-name chain (601 certificates) as served, repeated to 10,000
# certificates: the bundle given to inspect.
coproc SRV { TLSAUDIT_TEST_HOSTILE_SERVER=same-name-chain exec "$W/hostile.test" -test.run='^$'; }
read -r host port name <&"${SRV[0]}"
"$W/tlsaudit" --quick --json --system-store=false --sni "$name" "$host:$port" >"$W/chain.json" || true
python3 - "$W/chain.json" >"$W/bundle.pem" <<'PY'
import base64, json, sys, textwrap
ders = [c["der"] for c in json.load(open(sys.argv[1]))[0]["observation"]["chains"][0]["certificates"]]
for i in range(10000):
    print("-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(ders[i % len(ders)], 64)) + "\n-----END CERTIFICATE-----")
PY
eval "exec ${SRV[1]}>&-"
wait "$SRV_PID" 2>/dev/null || true

for kind in $KINDS; do
  coproc SRV { TLSAUDIT_TEST_HOSTILE_SERVER=$kind exec "$W/hostile.test" -test.run='^$'; }
  read -r host port name <&"${SRV[0]}"
  for bin in $BINS; do
    measure "$kind" full "$bin" --json --system-store=false --timeout 30s --sni "$name" "$host:$port"
    measure "$kind" quick "$bin" --json --system-store=false --quick --timeout 2s --sni "$name" "$host:$port"
  done
  eval "exec ${SRV[1]}>&-"
  wait "$SRV_PID" 2>/dev/null || true
done

# Hostile inputs, each in a subshell with 4 GiB of address space at most
# (older builds read /dev/zero up to 1 GiB and sized a run by any
# --concurrency).
for bin in $BINS; do
  (ulimit -v 4194304; measure diff-dev-zero input "$bin" diff /dev/zero /dev/zero)
  if [ -s "$W/bundle.pem" ]; then
    (ulimit -v 4194304; measure inspect-10k-bundle input "$bin" inspect --json "$W/bundle.pem")
  fi
  # Older builds grow to gigabytes here: only with BASELINE_ALL=1.
  if [ "${bin%%=*}" = new ] || [ -n "${BASELINE_ALL:-}" ]; then
    (ulimit -v 4194304; measure concurrency-1e6 input "$bin" --json --concurrency 1000000 --timeout 2s 127.0.0.1:1)
  fi
done
