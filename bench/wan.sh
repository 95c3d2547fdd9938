#!/usr/bin/env bash
# WAN benchmark: tlsaudit (full audit and --probes none) and sslscan (and,
# with --testssl, testssl.sh once per target at the middle RTT) against
# loopback servers seen through bench/wanproxy, which adds a round trip per
# connect and half a round trip each way per chunk of bytes. Targets:
#   nginx-legacy: nginx, TLS 1.0-1.3, 8 TLS 1.2 suites, server order
#   nginx-modern: nginx, TLS 1.2+1.3, ECDHE+AEAD, client order
#   gnutls:       gnutls-serv --priority NORMAL (one connection at a time)
#   openssl:      openssl s_server -www, OpenSSL's defaults (one at a time)
# For every RTT (default 20, 50, 150 ms) it prints wall time, connections
# (counted exactly by the proxy) and the sslscan/tlsaudit ratios; then the
# critical path in round trips of each tool and target, the slope of wall
# time over RTT between the smallest and largest RTT (what a round trip more
# costs: sequential steps plus waits for a free connection slot), and the
# load average (the wall times are noisy on a shared machine; the CPU time
# of each run, user+sys, is printed beside them).
# Everything runs in a network namespace of its own (unshare -n: root or
# CAP_SYS_ADMIN), whose loopback is the only interface: gnutls-serv, which
# cannot bind to one address, is reachable from nowhere else. Not for CI.
# Usage: bench/wan.sh [--rtts "20 50 150"] [--targets "nginx-legacy gnutls"]
#                     [--runs N] [--jitter 0ms] [--testssl] [--bin PATH] [--save DIR]
# --bin audits with another tlsaudit binary (e.g. an older build to compare);
# --save keeps tlsaudit's JSON reports in DIR as RTT.TARGET.TOOL.json, and
# the servers' certificate and key in DIR, reused by later runs saving there
# (so that two binaries' reports can be compared).
set -euo pipefail
cd "$(dirname "$0")/.."
RTTS="20 50 150"
TARGETS="nginx-legacy nginx-modern gnutls openssl"
RUNS=1
JITTER=0ms
TESTSSL=0
BIN=""
SAVE=""
ARGS=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --rtts) RTTS="$2"; shift ;;
    --targets) TARGETS="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --jitter) JITTER="$2"; shift ;;
    --testssl) TESTSSL=1 ;;
    --bin) BIN="$(realpath "$2")"; shift ;;
    --save) mkdir -p "$2"; SAVE="$(realpath "$2")"; shift ;;
    *) echo "usage: $0 [--rtts LIST] [--targets LIST] [--runs N] [--jitter D] [--testssl] [--bin PATH] [--save DIR]" >&2; exit 2 ;;
  esac
  shift
done
export PATH=$PATH:/usr/local/go/bin:/usr/sbin
for bin in go nginx openssl gnutls-serv sslscan unshare ip python3; do
  command -v "$bin" >/dev/null || { echo "bench: $bin not installed" >&2; exit 2; }
done
[ $TESTSSL = 0 ] || command -v testssl >/dev/null || { echo "bench: testssl not installed" >&2; exit 2; }

if [ -z "${WAN_NETNS:-}" ]; then
  # Build outside (the module cache needs no network), run inside.
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
  go build -o "$W/tlsaudit" ./cmd/tlsaudit
  go build -o "$W/wanproxy" ./bench/wanproxy
  WAN_NETNS=1 WAN_DIR="$W" unshare -n "$0" "${ARGS[@]}"
  exit
fi
W=$WAN_DIR
ip link set lo up
TLSAUDIT=${BIN:-$W/tlsaudit}

cleanup() {
  for pid in $(cat "$W"/*.pid 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

if [ -n "$SAVE" ] && [ -f "$SAVE/cert.pem" ]; then
  cp "$SAVE/cert.pem" "$SAVE/key.pem" "$W/"
else
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 30 \
    -subj /CN=bench.test -addext subjectAltName=DNS:bench.test 2>/dev/null
  [ -z "$SAVE" ] || cp "$W/cert.pem" "$W/key.pem" "$SAVE/"
fi

NEXT_PORT=20000
next_port() { NEXT_PORT=$((NEXT_PORT + 1)); } # the namespace is ours: every port is free
wait_port() { # name port
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$2) 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: $1 did not start" >&2; exit 1
}

start_nginx() { # name port ssl-lines
  local name=$1 port=$2 lines=$3 d="$W/$1"
  mkdir -p "$d/logs"
  cat > "$d/nginx.conf" <<CONF
worker_processes auto;
pid $d/nginx.pid.run;
error_log $d/logs/error.log;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    server_name bench.test;
    ssl_certificate $W/cert.pem;
    ssl_certificate_key $W/key.pem;
    $lines
    location / { return 200 "ok\n"; }
  }
}
CONF
  nginx -p "$d" -c "$d/nginx.conf" -g 'daemon off;' &
  echo $! > "$W/$name.pid"
  wait_port "$name" "$port"
}

declare -A PORT
for t in $TARGETS; do
  next_port; PORT[$t]=$NEXT_PORT
  case $t in
    nginx-legacy) start_nginx $t "${PORT[$t]}" "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_ciphers 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0';
    ssl_prefer_server_ciphers on;" ;;
    nginx-modern) start_nginx $t "${PORT[$t]}" 'ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_prefer_server_ciphers off;
    add_header Strict-Transport-Security "max-age=63072000" always;' ;;
    gnutls)
      gnutls-serv --port "${PORT[$t]}" --priority NORMAL --disable-client-cert --http \
        --x509certfile "$W/cert.pem" --x509keyfile "$W/key.pem" >"$W/gnutls.log" 2>&1 &
      echo $! > "$W/gnutls.pid"; wait_port gnutls "${PORT[$t]}" ;;
    openssl)
      openssl s_server -accept "127.0.0.1:${PORT[$t]}" -cert "$W/cert.pem" -key "$W/key.pem" -www -quiet \
        >"$W/openssl.log" 2>&1 &
      echo $! > "$W/openssl.pid"; wait_port openssl "${PORT[$t]}" ;;
    *) echo "bench: unknown target $t" >&2; exit 2 ;;
  esac
done

PROXY_PID=""
start_proxy() { # target rtt_ms
  local lp cp
  next_port; lp=$NEXT_PORT; next_port; cp=$NEXT_PORT
  "$W/wanproxy" -listen "127.0.0.1:$lp" -control "127.0.0.1:$cp" -target "127.0.0.1:${PORT[$1]}" \
    -rtt "${2}ms" -jitter "$JITTER" >/dev/null &
  PROXY_PID=$!
  echo $PROXY_PID > "$W/proxy.pid"
  wait_port wanproxy "$lp"
  PROXY_PORT=$lp CONTROL_PORT=$cp
}
stop_proxy() { kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; rm -f "$W/proxy.pid"; }
accepted() { local l; exec 3<>/dev/tcp/127.0.0.1/$CONTROL_PORT; read -r l <&3; exec 3<&-; echo "${l#connections }"; }

run_tool() { # tool port -> WALL CONNS
  local before t0 t1
  before=$(accepted)
  t0=$(date +%s.%N)
  case $1 in
    tlsaudit-full) /usr/bin/time -f "%U %S" -o "$W/cpu.txt" "$TLSAUDIT" --json --sni bench.test "127.0.0.1:$2" >"$W/out.json" 2>"$W/err.txt" || true ;;
    tlsaudit-enum) /usr/bin/time -f "%U %S" -o "$W/cpu.txt" "$TLSAUDIT" --probes none --json --sni bench.test "127.0.0.1:$2" >"$W/out.json" 2>"$W/err.txt" || true ;;
    sslscan) /usr/bin/time -f "%U %S" -o "$W/cpu.txt" sslscan --no-colour --sni-name=bench.test "127.0.0.1:$2" >"$W/out.txt" 2>&1 || true ;;
    testssl) env NXCONNECT=127.0.0.1:0 testssl --warnings off --quiet --color 0 --ip 127.0.0.1 --nodns none \
      "127.0.0.1:$2" >"$W/out.txt" 2>&1 || true ;;
  esac
  t1=$(date +%s.%N)
  sleep 0.3 # connections closing reach the proxy
  WALL=$(echo "$t1 - $t0" | bc -l)
  CONNS=$(( $(accepted) - before ))
  CPU=$(awk '{printf "%.2f", $1 + $2}' "$W/cpu.txt" 2>/dev/null || echo "-")
  rm -f "$W/cpu.txt"
}

declare -A WALLS
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-13s %-14s %9s %6s %6s\n' rtt target tool wall_s conns cpu_s
for rtt in $RTTS; do
  for t in $TARGETS; do
    start_proxy "$t" "$rtt"
    tools="tlsaudit-full tlsaudit-enum sslscan"
    if [ $TESTSSL = 1 ] && [ "$rtt" = "$(echo $RTTS | awk '{print $(int((NF+1)/2))}')" ]; then tools="$tools testssl"; fi
    for tool in $tools; do
      best=""; bconns=0; bcpu=-
      for _ in $(seq "$RUNS"); do
        run_tool "$tool" "$PROXY_PORT"
        if [ -z "$best" ] || (( $(echo "$WALL < $best" | bc -l) )); then best=$WALL; bconns=$CONNS; bcpu=$CPU; fi
      done
      WALLS[$rtt.$t.$tool]=$best
      if [ -n "$SAVE" ] && [ "${tool#tlsaudit}" != "$tool" ]; then cp "$W/out.json" "$SAVE/$rtt.$t.$tool.json"; cp "$W/err.txt" "$SAVE/$rtt.$t.$tool.stderr"; fi
      extra=""
      if [ $tool = tlsaudit-full ] || [ $tool = tlsaudit-enum ]; then
        extra=$(python3 - "$W/out.json" <<'PY' 2>/dev/null || true
import json, sys
o = json.load(open(sys.argv[1]))
o = o[0] if isinstance(o, list) else o
o = o.get("observation", o)
st = o.get("status")
by = o.get("connections_by_phase") or {}
top = sorted(by.items(), key=lambda kv: (-kv[1], kv[0]))
print(("" if st == "ok" else f"STATUS {st}; ") + ", ".join(f"{k} {v}" for k, v in top))
ms = o.get("elapsed_ms_by_phase") or {}
slow = sorted(((v, k) for k, v in ms.items() if k.startswith("probe:")), reverse=True)[:4]
print(f"{'':54}elapsed ms: discovery {ms.get('discovery', 0)}" + "".join(f", {k} {v}" for v, k in slow))
PY
)
      fi
      printf '%-5s %-13s %-14s %9.3f %6d %6s  %s\n' "$rtt" "$t" "$tool" "$best" "$bconns" "$bcpu" "$extra"
    done
    for other in sslscan testssl; do
      [ -n "${WALLS[$rtt.$t.$other]:-}" ] || continue
      printf '%-5s %-13s ratio %s/tlsaudit-full %.1fx, %s/tlsaudit-enum %.1fx\n' "$rtt" "$t" \
        "$other" "$(echo "${WALLS[$rtt.$t.$other]} / ${WALLS[$rtt.$t.tlsaudit-full]}" | bc -l)" \
        "$other" "$(echo "${WALLS[$rtt.$t.$other]} / ${WALLS[$rtt.$t.tlsaudit-enum]}" | bc -l)"
    done
    stop_proxy
  done
done
lo=$(echo $RTTS | awk '{print $1}'); hi=$(echo $RTTS | awk '{print $NF}')
if [ "$lo" != "$hi" ]; then
  echo "critical path in round trips (wall time slope between $lo and $hi ms):"
  for t in $TARGETS; do
    for tool in tlsaudit-full tlsaudit-enum sslscan; do
      printf '  %-13s %-14s %6.1f RTT\n' "$t" "$tool" \
        "$(echo "(${WALLS[$hi.$t.$tool]} - ${WALLS[$lo.$t.$tool]}) * 1000 / ($hi - $lo)" | bc -l)"
    done
  done
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
