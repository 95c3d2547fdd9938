#!/bin/sh
# demojson.sh BASE [NEW]: does `tlsaudit demo --json` say the same at two
# revisions? Builds the command at git revision BASE and at NEW (default:
# the working tree), runs each demo, and compares the two JSON documents
# with every value that changes from run to run blanked: timings, the
# demo's freshly generated keys and certificates (and what derives from
# them: fingerprints, pins, signatures, validity dates), loopback ports
# (also inside texts) and the tool version; arrays are compared as sets
# (see normalise). Any other difference is printed as
# a unified diff and the script exits 1.
set -eu
base=${1:?usage: bench/demojson.sh BASE_REVISION [NEW_REVISION]}
new=${2:-}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

build() { # build REV DIR: the command at REV ("" = working tree) into DIR/tlsaudit
	if [ -z "$1" ]; then
		(cd "$root" && go build -o "$2/tlsaudit" ./cmd/tlsaudit)
	else
		mkdir -p "$2/src"
		git -C "$root" archive "$1" | tar -x -C "$2/src"
		(cd "$2/src" && go build -o "$2/tlsaudit" ./cmd/tlsaudit)
	fi
}

# normalise: blank the values of run-dependent keys, anywhere in the tree;
# a chain's "protocol" (the handshake that saw it first) is timing, and so
# is the order of what concurrent handshakes discover: arrays are sorted.
normalise() {
	jq -S 'walk(if type == "object" and has("key_type") then .protocol = "-" else . end)
	| walk(if type == "object" then with_entries(
	  if (.key | test("^(elapsed_ms|elapsed_ms_by_phase|started|finished|duration_ms|ms|elapsed|port|input|version|der|sha256|sha1|spki_pin|spki_sha256|serial|not_before|not_after|days_left|signature|modulus|fingerprint|key_id|subject_key_id|authority_key_id|issuer_sha256|for|cert|leaf_sha256|pin|pins|raw|url|snippet)$"))
	  then .value = "-" else . end)
	elif type == "string" then gsub("(?<h>(127\\.0\\.0\\.1|\\.test)):[0-9]+"; "\\(.h):PORT")
	else . end)
	| walk(if type == "array" then sort else . end)' "$1"
}

build "$base" "$tmp/base"
build "$new" "$tmp/new"
"$tmp/base/tlsaudit" demo --json --system-store=false >"$tmp/base.json"
"$tmp/new/tlsaudit" demo --json --system-store=false >"$tmp/new.json"
normalise "$tmp/base.json" >"$tmp/base.norm"
normalise "$tmp/new.json" >"$tmp/new.norm"
if diff -u "$tmp/base.norm" "$tmp/new.norm"; then
	echo "demo JSON identical apart from timings, keys and ports ($base vs ${new:-working tree})"
else
	exit 1
fi
