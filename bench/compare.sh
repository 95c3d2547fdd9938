#!/usr/bin/env bash
# Compare a full enumeration by tlsaudit with sslscan (and, with --testssl,
# testssl.sh) against the same two loopback nginx targets:
#   modern: TLS 1.2+1.3, ECDHE+AEAD only, client order, HSTS
#   legacy: TLS 1.0-1.2, every suite OpenSSL has at SECLEVEL=0 (CBC, CCM,
#           CAMELLIA, ARIA, plain RSA, 1024-bit DHE), server order
# Prints wall time, TCP connections opened (client SYNs counted with tcpdump
# on lo) and the ratios. "tlsaudit" is the enumeration sslscan also does
# (--probes none: protocols, suites, groups, signature algorithms, chains);
# "tlsaudit-full" adds every probe (vulnerabilities, HTTP, client
# simulation). Everything stays on 127.0.0.1; testssl.sh is told not to
# make DNS queries. Needs: go, nginx, openssl, sslscan, tcpdump
# (and testssl for --testssl). Usage: bench/compare.sh [--testssl] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=3
TESTSSL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --testssl) TESTSSL=1 ;;
    --runs) RUNS="$2"; shift ;;
    *) echo "usage: $0 [--testssl] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done
for bin in nginx openssl sslscan tcpdump; do
  command -v "$bin" >/dev/null || { echo "bench: $bin not installed (apt-get install nginx openssl sslscan tcpdump)" >&2; exit 2; }
done

W=$(mktemp -d)
cleanup() {
  for pid in $(cat "$W"/*.pid 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  [ -n "${TCPDUMP_PID:-}" ] && kill "$TCPDUMP_PID" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

go build -o "$W/tlsaudit" ./cmd/tlsaudit

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 30 \
  -subj /CN=bench.test -addext subjectAltName=DNS:bench.test 2>/dev/null
openssl dhparam -out "$W/dh1024.pem" 1024 2>/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_nginx() { # name port ssl-lines
  local name=$1 port=$2 lines=$3 d="$W/$1"
  mkdir -p "$d/logs"
  cat > "$d/nginx.conf" <<CONF
worker_processes auto;  # as in Debian's default nginx.conf
pid $d/nginx.pid;
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
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: nginx $name did not start" >&2; cat "$d/logs/error.log" >&2; exit 1
}

MODERN_PORT=$(free_port)
start_nginx modern "$MODERN_PORT" 'ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_prefer_server_ciphers off;
    add_header Strict-Transport-Security "max-age=63072000" always;'
LEGACY_PORT=$(free_port)
start_nginx legacy "$LEGACY_PORT" "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers 'ALL:@SECLEVEL=0';
    ssl_prefer_server_ciphers on;
    ssl_dhparam $W/dh1024.pem;"

# Count client SYNs to a port while a command runs.
count_conns() { # port cmd...
  local port=$1; shift
  tcpdump -i lo -nn -l "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn and dst port $port" > "$W/syn.txt" 2>/dev/null &
  TCPDUMP_PID=$!
  sleep 0.5
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$W/out.txt" 2>&1 || true
  t1=$(date +%s.%N)
  sleep 0.5
  kill "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=
  WALL=$(echo "$t1 - $t0" | bc -l)
  CONNS=$(wc -l < "$W/syn.txt")
}

printf '%-8s %-10s %10s %8s\n' target tool wall_s conns
declare -A BEST_WALL BEST_CONNS
for target in modern legacy; do
  port=$MODERN_PORT; [ $target = legacy ] && port=$LEGACY_PORT
  tools="tlsaudit tlsaudit-full sslscan"; [ $TESTSSL = 1 ] && tools="$tools testssl"
  for tool in $tools; do
    runs=$RUNS; [ $tool = testssl ] && runs=1
    best=999999; bc_conns=0
    for _ in $(seq "$runs"); do
      case $tool in
        tlsaudit) count_conns "$port" "$W/tlsaudit" --probes none --json --sni bench.test "127.0.0.1:$port" ;;
        tlsaudit-full) count_conns "$port" "$W/tlsaudit" --json --sni bench.test "127.0.0.1:$port" ;;
        sslscan)  count_conns "$port" sslscan --no-colour --sni-name=bench.test "127.0.0.1:$port" ;;
        testssl)  count_conns "$port" env NXCONNECT=127.0.0.1:0 testssl --warnings off --quiet --color 0 --ip 127.0.0.1 --nodns none "127.0.0.1:$port" ;;
      esac
      if (( $(echo "$WALL < $best" | bc -l) )); then best=$WALL; bc_conns=$CONNS; fi
    done
    BEST_WALL[$target.$tool]=$best; BEST_CONNS[$target.$tool]=$bc_conns
    printf '%-8s %-10s %10.3f %8d\n' $target $tool "$best" "$bc_conns"
    if [ $tool = tlsaudit ]; then
      # the lower bound: accepted suites + one refusal per protocol probed
      python3 - "$W/out.txt" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o = o[0] if isinstance(o, list) else o
o = o.get("observation", o)
acc = sum(len(p.get("suites") or []) for p in o["protocols"] if p["name"] != "SSLv2")
protos = len(o["protocols"])
by = o.get("connections_by_phase") or {}
bound = acc + protos
used = by.get("protocols", 0)
print(f"         tlsaudit: {acc} suites accepted; protocol+suite enumeration used {used} connections, "
      f"lower bound {bound} (accepted suites + one refusal per protocol, SSLv2 included): +{100*(used-bound)/bound:.0f}%")
print("         tlsaudit connections by phase: " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())) + f"; total {o['connections']}")
PY
    fi
  done
  for tool in sslscan testssl; do
    [ -n "${BEST_WALL[$target.$tool]:-}" ] || continue
    printf '%-8s ratio %s/tlsaudit: wall %.1fx, connections %.2fx\n' $target $tool \
      "$(echo "${BEST_WALL[$target.$tool]} / ${BEST_WALL[$target.tlsaudit]}" | bc -l)" \
      "$(echo "${BEST_CONNS[$target.$tool]} / ${BEST_CONNS[$target.tlsaudit]}" | bc -l)"
  done
done
