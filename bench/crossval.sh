#!/usr/bin/env bash
# Cross-validate tlsaudit's findings against sslscan, nmap ssl-enum-ciphers
# and (with --testssl) testssl.sh on a set of loopback servers: nginx modern
# and legacy, openssl s_server (odd suites, server order; client order with
# RSA+ECDSA), gnutls-serv (RC4/3DES/anon DH, in its own netns), crypto/tls
# modern and legacy, and the scripted SSLv2/SSLv3/export/server-order/
# vulnerable servers of scan/tlstest (see bench/crossval/serve.go).
#
# Prints a Markdown table (target, item, each tool's value, agreement) and
# the details of every disagreement. Everything stays on 127.0.0.1; no tool
# resolves a name (testssl.sh gets NXCONNECT, --ip and --nodns none).
#
# Usage: bench/crossval.sh [--testssl] [--testssl-jobs N] [--only a,b] [--out DIR] [--tlsaudit BIN]
# testssl.sh takes 5-20 minutes per target: it runs once per target, N at a
# time (default 3), while the servers stay up. Needs: go, nginx, openssl,
# gnutls-serv, sslscan, nmap (testssl for --testssl); gnutls-serv needs root
# (unshare -n).
set -euo pipefail
cd "$(dirname "$0")/.."
TESTSSL=0 JOBS=3 ONLY="" OUT="" BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --testssl) TESTSSL=1 ;;
    --testssl-jobs) JOBS="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --tlsaudit) BIN="$2"; shift ;;
    *) echo "usage: $0 [--testssl] [--testssl-jobs N] [--only a,b] [--out DIR] [--tlsaudit BIN]" >&2; exit 2 ;;
  esac
  shift
done
need="nginx openssl gnutls-serv sslscan nmap"
[ "$TESTSSL" = 1 ] && need="$need testssl"
for b in $need; do
  command -v "$b" >/dev/null || { echo "crossval: $b is not installed" >&2; exit 2; }
done

W=$(mktemp -d)
[ -n "$OUT" ] || OUT="$W/out"
mkdir -p "$OUT/testssl"
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

if [ -z "$BIN" ]; then
  BIN="$W/tlsaudit"
  go build -o "$BIN" ./cmd/tlsaudit
fi
go build -o "$W/crossval" ./bench/crossval

"$W/crossval" serve -targets "$W/targets.json" -only "$ONLY" 2> "$W/serve.log" &
SERVE_PID=$!
for _ in $(seq 300); do [ -s "$W/targets.json" ] && break; kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.2; done
[ -s "$W/targets.json" ] || { echo "crossval: servers did not start:" >&2; cat "$W/serve.log" >&2; exit 1; }

TESTSSL_PID=""
if [ "$TESTSSL" = 1 ]; then
  python3 -c 'import json,sys; [print(t["name"], t["port"], t["sni"]) for t in json.load(open(sys.argv[1]))]' "$W/targets.json" |
    xargs -P "$JOBS" -L 1 bash -c '
      NXCONNECT=127.0.0.1:0 timeout 3600 testssl --warnings off --quiet --color 0 --ip 127.0.0.1 --nodns none \
        -p -P -S -E -f -U --jsonfile "'"$OUT"'/testssl/$0.json" "$2:$1" > "'"$OUT"'/testssl/$0.log" 2>&1 || true' &
  TESTSSL_PID=$!
fi

if [ -n "$TESTSSL_PID" ]; then
  echo "crossval: waiting for testssl.sh (minutes per target)..." >&2
  wait "$TESTSSL_PID" || true
  "$W/crossval" compare -targets "$W/targets.json" -tlsaudit "$BIN" -out "$OUT" -testssl "$OUT/testssl"
else
  "$W/crossval" compare -targets "$W/targets.json" -tlsaudit "$BIN" -out "$OUT"
fi
