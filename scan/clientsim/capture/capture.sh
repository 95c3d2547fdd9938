#!/usr/bin/env bash
# capture.sh: capture the ClientHellos of the real clients installed here
# into testdata/clients (and the embedded copy scan/clientsim/builtin).
#
#   scan/clientsim/capture/capture.sh [OUTDIR]
#
# Everything runs inside a fresh network namespace that has only a loopback
# interface, with /etc/hosts bind-mounted to map tlsaudit.test to 127.0.0.1:
# no client can reach any outside host or DNS server, whatever it tries.
# Needs root (unshare -n -m). Clients (Debian packages): chromium, curl,
# wget, openssl, gnutls-bin, openjdk-17-jdk-headless, python3, nodejs;
# Go from the toolchain building this repository.
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=${1:-testdata/clients}
NAME=tlsaudit.test

if [ "${CAPTURE_IN_NETNS:-}" != 1 ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  go build -o "$WORK/capture" ./scan/clientsim/capture
  go build -o "$WORK/goclient" ./scan/clientsim/capture/goclient
  javac -d "$WORK" scan/clientsim/capture/Fetch.java
  export CAPTURE_IN_NETNS=1 WORK
  unshare --net --mount "$0" "$OUT"
  # The embedded copy the scanner uses by default.
  rm -f scan/clientsim/builtin/*.hello scan/clientsim/builtin/*.json
  cp "$OUT"/*.hello "$OUT"/*.json scan/clientsim/builtin/
  exit 0
fi

# Inside the namespace.
ip link set lo up
printf '127.0.0.1 localhost %s\n::1 localhost\n' "$NAME" >"$WORK/hosts"
mount --bind "$WORK/hosts" /etc/hosts
mkdir -p "$OUT"
URL="https://$NAME:{PORT}/"

cap() { # cap NAME VERSION LABEL CONFIG REFERENCE -- command...
  local name=$1 version=$2 label=$3 config=$4 ref=$5
  shift 6
  "$WORK/capture" -out "$OUT" -name "$name" -version "$version" -label "$label" \
    -config "$config" -reference="$ref" -- "$@" || echo "capture of $label failed" >&2
}

v=$(chromium --version 2>/dev/null | awk '/Chromium/ {print $2}')
CHROME_DIR=$(mktemp -d)
cap chromium "$v" "Chromium $v" "headless, fresh profile, background networking/sync/component updates off" true -- \
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$CHROME_DIR" "$URL"
rm -rf "$CHROME_DIR"

v=$(curl --version | awk 'NR==1 {print $2}')
cap curl "$v" "curl $v (OpenSSL 3.0)" "defaults (curl -s -k)" true -- curl -s -k --max-time 10 "$URL"

v=$(wget --version | awk 'NR==1 {print $3}')
cap wget "$v" "wget $v (GnuTLS)" "defaults (--no-check-certificate)" true -- \
  wget -q -O /dev/null --tries=1 --timeout=10 --no-check-certificate "$URL"

v=$(openssl version | awk '{print $2}')
cap openssl "$v" "OpenSSL $v s_client" "defaults" true -- \
  sh -c 'openssl s_client -connect 127.0.0.1:{PORT} -servername '"$NAME"' </dev/null'
cap openssl "$v-tls1-seclevel0" "OpenSSL $v s_client TLS 1.0 @SECLEVEL=0" \
  "-tls1 -cipher DEFAULT@SECLEVEL=0: an old TLS 1.0-only client" false -- \
  sh -c 'openssl s_client -tls1 -cipher DEFAULT@SECLEVEL=0 -connect 127.0.0.1:{PORT} -servername '"$NAME"' </dev/null'

v=$(gnutls-cli --version | awk 'NR==1 {print $2}')
cap gnutls-cli "$v" "GnuTLS $v gnutls-cli" "defaults (--insecure)" true -- \
  sh -c 'gnutls-cli --insecure -p {PORT} '"$NAME"' </dev/null'

for jdk in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
  [ -x "$jdk/bin/java" ] || continue
  v=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | awk '/java.version = / {print $3}')
  major=${v%%.*}
  cap java "$v" "Java $v HttpsURLConnection" "defaults" true -- "$jdk/bin/java" -cp "$WORK" Fetch "$URL"
  if [ "$major" = 17 ]; then
    printf 'jdk.tls.disabledAlgorithms=\njdk.certpath.disabledAlgorithms=\n' >"$WORK/legacy.security"
    cap java "$v-legacy" "Java $v legacy algorithms enabled" \
      "java.security overrides empty jdk.tls.disabledAlgorithms (TLS 1.0/1.1, 3DES, RC4... enabled)" false -- \
      "$jdk/bin/java" -Djava.security.properties="$WORK/legacy.security" -cp "$WORK" Fetch "$URL"
  fi
done

v=$(/usr/bin/python3 -c 'import platform; print(platform.python_version())')
cap python "$v" "Python $v urllib" "ssl.create_default_context() via urllib.request.urlopen" true -- \
  /usr/bin/python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' "$URL"

v=$(node --version | tr -d v)
cap node "$v" "Node.js $v https" "https.get defaults" true -- \
  node -e 'require("https").get(process.argv[1], r => r.resume()).on("error", e => { console.error(e.message); process.exit(1) })' "$URL"

v=$(go env GOVERSION | sed 's/^go//')
cap go "$v" "Go $v crypto/tls" "tls.Config defaults (ServerName set)" true -- "$WORK/goclient" "127.0.0.1:{PORT}" "$NAME"
