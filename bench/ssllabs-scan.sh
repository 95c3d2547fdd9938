#!/usr/bin/env bash
# Runs Qualys' ssllabs-scan client, as you installed it (unmodified), against
# "tlsaudit serve" on loopback and checks what it prints: -grade, the default
# JSON, -usecache, -json-flat, -ignore-mismatch; with a v4 client also the
# email header.
#
#   bench/ssllabs-scan.sh /path/to/ssllabs-scan            # the v3 client
#   bench/ssllabs-scan.sh --v4 /path/to/ssllabs-scan-v4    # the v4 client
#
# Get the client yourself, e.g. `go install github.com/ssllabs/ssllabs-scan/v3@latest`,
# or from a clone of github.com/ssllabs/ssllabs-scan: `go build ssllabs-scan-v3.go`
# (or ssllabs-scan-v4.go). This script never downloads anything; it is not run
# in CI. Everything stays on 127.0.0.1: two openssl s_server targets (one whose
# certificate names 127.0.0.1, one whose certificate names another host),
# and tlsaudit serve with a throwaway SQLite database. Needs openssl and go
# (TLSAUDIT=/path/to/tlsaudit skips the build).
set -euo pipefail

v4=
if [ "${1:-}" = --v4 ]; then v4=1; shift; fi
client=${1:?usage: bench/ssllabs-scan.sh [--v4] /path/to/ssllabs-scan}
[ -x "$client" ] || { echo "ssllabs-scan.sh: $client is not an executable" >&2; exit 2; }
command -v openssl >/dev/null || { echo "ssllabs-scan.sh: openssl is needed" >&2; exit 2; }

cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

tlsaudit=${TLSAUDIT:-}
if [ -z "$tlsaudit" ]; then
	tlsaudit=$work/tlsaudit
	go build -o "$tlsaudit" ./cmd/tlsaudit
fi

# A private CA; a leaf for 127.0.0.1 and one for a name that is not the
# assessed host.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 2 \
	-subj "/CN=ssllabs-scan check CA" >/dev/null 2>&1
leaf() { # name subjectAltName
	openssl req -newkey rsa:2048 -nodes -keyout "$work/$1.key" -out "$work/$1.csr" -subj "/CN=$1" >/dev/null 2>&1
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$2" >"$work/$1.ext"
	openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
		-days 2 -extfile "$work/$1.ext" -out "$work/$1.pem" >/dev/null 2>&1
}
leaf match IP:127.0.0.1
leaf other DNS:other.example

# target NAME starts openssl s_server with NAME's certificate on a loopback
# port nobody listens on (probed with bash's /dev/tcp) and sets $port.
target() {
	port=
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
	done
	openssl s_server -accept "127.0.0.1:$port" -cert "$work/$1.pem" -key "$work/$1.key" -www -quiet \
		>"$work/$1.s_server.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.1; done
	echo "ssllabs-scan.sh: openssl s_server did not start: $(cat "$work/$1.s_server.log")" >&2
	exit 1
}
target match
match=127.0.0.1:$port
target other
other=127.0.0.1:$port

: >"$work/serve.log" # before the background job opens it
"$tlsaudit" serve --listen 127.0.0.1:0 --db "$work/serve.db" --allow-targets 127.0.0.1 \
	--ca-file "$work/ca.pem" --cool-off 1s 2>"$work/serve.log" &
pids+=($!)
addr=
for _ in $(seq 100); do
	addr=$(sed -n 's|.*listening on http://\([0-9.:]*\)/.*|\1|p' "$work/serve.log" || true)
	[ -n "$addr" ] && break
	sleep 0.1
done
[ -n "$addr" ] || { cat "$work/serve.log" >&2; exit 1; }

api=http://$addr/api/v3/
args=()
if [ -n "$v4" ]; then
	api=http://$addr/api/v4/
	args=(-email ops@example.com)
fi
fails=0
run() { # name args... : runs the client, keeps stdout and stderr
	local name=$1
	shift
	echo "== ssllabs-scan -api $api ${args[*]} $*"
	local rc=0
	timeout 300 "$client" -api "$api" "${args[@]}" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "   FAIL: exit status $rc"
		tail -5 "$work/$name.err" | sed 's/^/   /'
		fails=$((fails + 1))
	fi
	if grep -q "JSON unmarshal error\|Unexpected response status\|Sleeping for" "$work/$name.err"; then
		echo "   FAIL: the client did not understand the server:"
		grep "JSON unmarshal error\|Unexpected response status\|Sleeping for" "$work/$name.err" | head -3 | sed 's/^/   /'
		fails=$((fails + 1))
	fi
}
expect() { # name pattern description
	if grep -Eq "$2" "$work/$1.out"; then
		echo "   ok: $3"
	else
		echo "   FAIL: $3; the client printed:"
		sed 's/^/   | /' "$work/$1.out" | head -20
		fails=$((fails + 1))
	fi
}

run grade -grade "$match"
expect grade "^\"127\.0\.0\.1\":\"(A\+|A-|A|B|C|D|E|F)\"$" "-grade prints a letter grade for the endpoint"
sed 's/^/   | /' "$work/grade.out"

run json "$match"
expect json '"status":"READY"' "the default JSON output is the READY Host object"
expect json '"details":\{' "with the endpoint details"
expect json '"certs":\[\{"id":"[0-9a-f]{64}"' "and the certificates"
start=$(grep -o '"startTime":[0-9]*' "$work/json.out" | head -1)

run cache -usecache "$match"
expect cache "$start" "-usecache returns the cached report (same $start)"

run flat -json-flat -usecache "$match"
expect flat '"endpoints\.0\.grade": "[A-F]' "-json-flat flattens the cached report"

run mismatch -grade "$other"
expect mismatch '"127\.0\.0\.1":"Certificate not valid for domain name"' "a name mismatch is not graded without -ignore-mismatch"
run ignore -grade -ignore-mismatch "$other"
expect ignore '"127\.0\.0\.1":"(M|T)"' "-ignore-mismatch proceeds and grades the mismatch"
sed 's/^/   | /' "$work/ignore.out"

if [ -n "$v4" ]; then
	echo "== ssllabs-scan (v4) with an invalid email header"
	if "$client" -api "$api" -email not-an-address -grade "$match" >"$work/email.out" 2>"$work/email.err"; then
		echo "   FAIL: the client accepted the answer"
		fails=$((fails + 1))
	elif grep -q "invalid email address" "$work/email.err"; then
		echo "   ok: refused with the server's message: $(grep -o '\[ERROR\].*' "$work/email.err" | head -1)"
	else
		echo "   FAIL: $(tail -1 "$work/email.err")"
		fails=$((fails + 1))
	fi
fi

if [ "$fails" -gt 0 ]; then
	echo "$fails check(s) failed; the server's log:"
	sed 's/^/   | /' "$work/serve.log" | tail -20
	exit 1
fi
echo "all checks passed"
