package scan

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// Every hostile or awkward server of scan/tlstest, audited through the
// public API: the audit ends within its bound, with a readable status and
// error, and the valid-but-awkward servers are scanned correctly.

const (
	hostileConnTimeout = 2 * time.Second
	hostileTimeout     = 15 * time.Second
	// slack absorbs a loaded 2-core CI machine running tests with -race.
	hostileSlack = 2 * time.Second
)

type hostileCase struct {
	// bound on the audit's wall time (before slack).
	bound time.Duration
	// connTimeout overrides hostileConnTimeout.
	connTimeout time.Duration
	status      obs.Status
	// errHas are substrings of the observation's Error.
	errHas []string
	// check, when set, asserts the observation of a server that must scan.
	check func(t *testing.T, o *obs.Observation)
	// quick: audit with Options.Quick (one handshake).
	quick bool
}

// The awkward servers serve these suites (tlstest.awkwardConfig).
var (
	awkwardTLS12 = []uint16{0xc02f, 0xc013, 0xc014, 0x009c, 0x002f, 0x0035}
	awkwardTLS10 = []uint16{0xc013, 0xc014, 0x002f, 0x0035}
)

func checkAwkward(t *testing.T, o *obs.Observation) {
	wantSuites(t, o, map[string][]uint16{"TLSv1.0": awkwardTLS10, "TLSv1.1": awkwardTLS10, "TLSv1.2": awkwardTLS12})
	if len(o.Chains) != 1 || len(o.Chains[0].Certificates) != 1 || o.Chains[0].Certificates[0].ParseError != "" {
		t.Errorf("chains = %+v, want the one fake certificate", o.Chains)
	}
	if o.Groups == nil || len(o.Groups.TLS12) == 0 {
		t.Errorf("no TLS 1.2 groups found: %+v", o.Groups)
	}
	for _, e := range o.Errors {
		// The fake server signs with rsa_pkcs1_sha1 whatever is offered:
		// reported, rightly, as a choice outside the offer.
		if e.Probe == "signature_algorithms_tls12" && strings.Contains(e.Error, "which was not offered") {
			continue
		}
		// Discovery must not trip on the record layout.
		if strings.HasPrefix(e.Probe, "groups") || strings.HasPrefix(e.Probe, "signature") || e.Probe == "key_exchange" {
			t.Errorf("probe error %s: %s", e.Probe, e.Error)
		}
	}
}

func hostileCases() map[tlstest.HostileKind]hostileCase {
	// A broken server fails its first hellos: no probes run.
	fast := 3 * time.Second
	// A valid server gets the full audit (discovery, client simulation,
	// every probe): about 1.5 s alone, several times that with -race next
	// to the other subtests on 2 cores.
	full := 10 * time.Second
	// A silent first hello, then one short-hello retry per protocol: two
	// connection timeouts in sequence.
	twoTimeouts := 2 * hostileConnTimeout
	return map[tlstest.HostileKind]hostileCase{
		tlstest.HostileSilent: {bound: twoTimeouts, status: obs.StatusConnectionTimeout,
			errHas: []string{"accepted the connection but did not answer the ClientHello within 2s", "i/o timeout"}},
		tlstest.HostileDrip: {bound: twoTimeouts, status: obs.StatusConnectionTimeout,
			errHas: []string{"did not finish answering the ClientHello within 2s", "answered too slowly", "bytes before the deadline"}},
		tlstest.HostileGarbage: {bound: fast, status: obs.StatusNotTLS,
			errHas: []string{"not TLS: the server answered with", "first bytes"}},
		tlstest.HostileHTTP: {bound: fast, status: obs.StatusNotTLS,
			errHas: []string{"not TLS: the server answered with HTTP data", `"HTTP/`}},
		tlstest.HostileSSH: {bound: fast, status: obs.StatusNotTLS,
			errHas: []string{"not TLS: the server answered with SSH data", `"SSH-2`}},
		tlstest.HostileReset: {bound: fast, status: obs.StatusProtocolError,
			errHas: []string{"broken TLS in the answer to a", "the server cut the connection after sending", "in the middle of its answer"}},
		tlstest.HostileHugeRecord: {bound: fast, status: obs.StatusProtocolError,
			errHas: []string{"broken TLS in the answer to a", "record: too long (65535 bytes, max 18432)"}},
		tlstest.HostileHugeChain: {bound: fast, status: obs.StatusProtocolError,
			errHas: []string{"broken TLS in the answer to a", "Certificate message of 10552607 bytes exceeds the 262144-byte cap"}},
		// The server builds a 4 MB message per connection, slowly under
		// -race: give it time to start sending.
		tlstest.HostileManyCerts: {bound: 5 * time.Second, connTimeout: 5 * time.Second, status: obs.StatusProtocolError,
			errHas: []string{"broken TLS in the answer to a", "Certificate message of", "bytes exceeds the 262144-byte cap"}},
		tlstest.HostileHRRLoop: {bound: fast, status: obs.StatusProtocolError,
			errHas: []string{"HelloRetryRequest loop", "with another HelloRetryRequest", "no TLS 1.3 handshake can complete"}},
		tlstest.HostileAlertFlood: {bound: fast, status: obs.StatusNoTLS,
			errHas: []string{"the server accepted none of", "it answered: alert user_canceled"}},
		tlstest.HostileWrongVersion: {bound: fast, status: obs.StatusProtocolError,
			errHas: []string{"broken TLS in the answer to a", "handshake record of version 0x0909, which no SSL/TLS version uses"}},
		tlstest.HostileCloseImmediately: {bound: fast, status: obs.StatusNoTLS,
			errHas: []string{"the server closed every connection", "without answering the ClientHello"}},
		// A valid TLS 1.2/1.3 server whose chain is 600 same-name CAs: the
		// scan reads it whole (the analysis bounds its work). A quick
		// audit: a full one reads the 230 KB chain on some 80 connections,
		// which under -race on a loaded machine outlasts the bound
		// (bench/hostile.sh measures the full audit). Parsing the 601
		// certificates with -race alone takes seconds.
		tlstest.HostileSameNameChain: {bound: full, quick: true, status: obs.StatusOK, check: func(t *testing.T, o *obs.Observation) {
			if len(o.Chains) == 0 || len(o.Chains[0].Certificates) != tlstest.SameNameChainLength+1 {
				t.Errorf("chains = %d, want the %d certificates served", len(o.Chains), tlstest.SameNameChainLength+1)
			}
		}},
		// TLS 1.3 works; TLS 1.2 answers with a 1 MB Certificate message:
		// a protocol error, not "TLS 1.2 not supported".
		tlstest.HostileMegaCertificate: {bound: full, status: obs.StatusProtocolError,
			errHas: []string{"broken TLS in the answer to a TLSv1.2 ClientHello", "exceeds the 262144-byte cap", "not graded"},
			check: func(t *testing.T, o *obs.Observation) {
				if !proto(o, "TLSv1.3").Supported {
					t.Errorf("TLS 1.3, served by crypto/tls, was lost")
				}
			}},
		tlstest.HostileHelloRequestFlood: {bound: fast, status: obs.StatusProtocolError,
			errHas: []string{"broken TLS in the answer to a", "HelloRequest messages in one flight (a flood)"}},
		// TLS 1.2 works; the TLS 1.3 key share is the x25519 low-order point.
		tlstest.HostileZeroKeyShare: {bound: full, status: obs.StatusProtocolError,
			errHas: []string{"broken TLS in the answer to a TLSv1.3 ClientHello", "key_share", "no TLS 1.3 handshake can complete"}},
		tlstest.HostileControlChars: {bound: full, status: obs.StatusOK, check: func(t *testing.T, o *obs.Observation) {
			if len(o.Chains) == 0 || !strings.Contains(o.Chains[0].Certificates[0].Subject, "PWNED") {
				t.Errorf("the hostile subject is not recorded raw: %+v", o.Chains)
			}
		}},
		tlstest.AwkwardFragmented: {bound: full, status: obs.StatusOK, check: checkAwkward},
		tlstest.AwkwardCoalesced:  {bound: full, status: obs.StatusOK, check: checkAwkward},
		// The compat-CCS server stalls after its ServerHello and CCS: the
		// TLS 1.3 full handshakes (signature algorithms, client
		// simulation, probes) wait out connection timeouts.
		tlstest.AwkwardCompatCCS: {bound: full, status: obs.StatusOK, check: func(t *testing.T, o *obs.Observation) {
			wantSuites(t, o, map[string][]uint16{"TLSv1.3": tls13Suites})
			wantOrder(t, o, "TLSv1.3", false, nil)
		}},
	}
}

func TestHostileServers(t *testing.T) {
	cases := hostileCases()
	for _, kind := range tlstest.HostileKinds() {
		tc, ok := cases[kind]
		if !ok {
			t.Errorf("no test case for hostile kind %s", kind)
			continue
		}
		if tc.bound+hostileSlack > hostileTimeout {
			t.Fatalf("%s: bound %s exceeds the audit timeout", kind, tc.bound)
		}
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			srv, err := tlstest.NewHostileServer(kind)
			if err != nil {
				t.Fatalf("starting the %s server: %v", kind, err)
			}
			defer srv.Close()
			ct := hostileConnTimeout
			if tc.connTimeout > 0 {
				ct = tc.connTimeout
			}
			s := New(Options{ConnTimeout: ct, Timeout: hostileTimeout, Quick: tc.quick})
			start := time.Now()
			o := s.Scan(context.Background(), Target{Input: srv.Addr, Host: srv.Host, Port: srv.Port, SNI: srv.Name})
			took := time.Since(start)
			t.Logf("%s: %s in %s, %d connections: %s", kind, o.Status, took.Round(time.Millisecond), o.Connections, o.Error)
			if took > tc.bound+hostileSlack {
				t.Errorf("audit took %s, bound %s (+%s slack)", took, tc.bound, hostileSlack)
			}
			if o.Status != tc.status {
				t.Errorf("status = %s, want %s (error: %s)", o.Status, tc.status, o.Error)
			}
			checkReadable(t, o, tc.status != obs.StatusOK)
			for _, want := range tc.errHas {
				if !strings.Contains(o.Error, want) {
					t.Errorf("error %q does not contain %q", o.Error, want)
				}
			}
			if tc.check != nil {
				tc.check(t, o)
			}
		})
	}
}

// checkReadable asserts the invariants of any observation: it marshals,
// its error is present exactly when the audit failed, and every error text
// is one readable line of bounded length.
func checkReadable(t *testing.T, o *obs.Observation, failed bool) {
	t.Helper()
	if _, err := json.Marshal(o); err != nil {
		t.Errorf("observation does not marshal: %v", err)
	}
	if failed != (o.Error != "") {
		t.Errorf("status %s with error %q", o.Status, o.Error)
	}
	texts := []string{o.Error}
	for _, p := range o.Protocols {
		texts = append(texts, p.Error)
	}
	for _, e := range o.Errors {
		texts = append(texts, e.Error)
	}
	for _, s := range texts {
		if len(s) > 600 || strings.ContainsAny(s, "\n\x00") || !utf8.ValidString(s) || strings.Contains(s, "%!") || strings.Contains(s, "panic") {
			t.Errorf("unreadable error text: %q", s)
		}
	}
	if o.Status == obs.StatusInternalError {
		t.Errorf("internal error: %s", o.Error)
	}
}
