package main

import "strings"

// explanation is a known cause of a disagreement, established by hand from
// the server's configuration and the wire (see the README's comparison
// section). The table prints it next to the row.
type explanation struct {
	match func(t target, r row) bool
	why   string
}

func val(r row, tool string) string {
	for i, name := range toolOrder {
		if name == tool {
			return r.values[i]
		}
	}
	return ""
}

func scripted(t target) bool { return strings.HasPrefix(t.Config, "scripted") }

var explanations = []explanation{
	{func(t target, r row) bool {
		return r.item == "chain_incomplete" && val(r, "tlsaudit") == "ok" && val(r, "testssl") == "VULN"
	}, "by design: the servers send leaf + intermediate, complete up to the test root that no store holds; tlsaudit reports an unknown root (cert.untrusted, no incomplete-chain cap, as SSL Labs), testssl calls any chain it cannot anchor 'chain incomplete'"},
	{func(t target, r row) bool {
		tl, ss := val(r, "tlsaudit"), val(r, "sslscan")
		return strings.HasPrefix(r.item, "groups ") && strings.HasSuffix(tl, " ffdhe8192") && ss == strings.TrimSuffix(tl, " ffdhe8192")
	}, "peer: sslscan's ffdhe8192 handshake did not complete in its time limit (an 8192-bit key share on loaded cores); the server offers it (openssl s_server lists ffdhe8192 by default, and sslscan finds it on the other OpenSSL servers of the same run)"},
	{func(t target, r row) bool {
		return strings.HasPrefix(r.item, "preferred ") && val(r, "tlsaudit") == "" && val(r, "sslscan") != "" && val(r, "nmap") == ""
	}, "peer: sslscan labels a 'preferred' suite even when the server follows the client's order (tlsaudit and nmap: client order)"},
	{func(t target, r row) bool {
		return scripted(t) && (strings.HasPrefix(r.item, "suites ") || strings.HasPrefix(r.item, "preferred ")) &&
			val(r, "tlsaudit") == val(r, "nmap")
	}, "peer: sslscan completes each handshake with OpenSSL, and the scripted server stops after ServerHelloDone: sslscan keeps only the suites its raw hellos test (those OpenSSL 3 lacks)"},
	{func(t target, r row) bool {
		return scripted(t) && r.item == "insecure_renegotiation" && val(r, "sslscan") == "ok"
	}, "peer: sslscan cannot complete a handshake with the scripted server and reports renegotiation 'not supported'; the server sends no renegotiation_info (configured), as tlsaudit says"},
	{func(t target, r row) bool {
		return scripted(t) && (r.item == "client_renegotiation" || r.item == "ticketbleed") && val(r, "tlsaudit") == ""
	}, "the scripted server cannot complete a handshake: tlsaudit says inconclusive, testssl 'not vulnerable' without having renegotiated or resumed"},
	{func(t target, r row) bool { return r.item == "order SSLv2" && val(r, "tlsaudit") == "" },
		"nothing to compare: in SSLv2 the server lists its cipher kinds and the client chooses; testssl calls that client order"},
	{func(t target, r row) bool {
		return t.Name == "gnutls-legacy" && r.item == "DH bits"
	}, "both right: GnuTLS negotiates RFC 7919 groups; nmap offers ffdhe2048 and gets it, clients without FFDHE groups get the 1024-bit --dhparams (tlsaudit reports both)"},
	{func(t target, r row) bool {
		return t.Name == "gnutls-legacy" && r.item == "logjam" && val(r, "testssl") == "ok"
	}, "peer: testssl offers FFDHE groups and sees only ffdhe2048; clients without them (OpenSSL-based ones at TLS 1.2) get the 1024-bit Oakley group 2 prime, which tlsaudit reports"},
	{func(t target, r row) bool {
		return t.Name == "fake-sslv2" && r.item == "freak" && val(r, "testssl") == "VULN"
	}, "peer: testssl counts SSLv2 export kinds as FREAK; FREAK needs an RSA_EXPORT suite in SSLv3/TLS (a 512-bit ephemeral key in ServerKeyExchange), which SSLv2 does not have. tlsaudit flags these kinds as cipher.export and DROWN"},
	{func(t target, r row) bool {
		return t.Name == "vuln-heartbleed" && r.item == "ccs_injection" && val(r, "testssl") == "ok"
	}, "fixture: testssl waits ~6 s between its two early CCS records, the scripted server's 5 s read deadline closes first (tcpdump); tlsaudit's probe gets the configured bad_record_mac"},
	{func(t target, r row) bool {
		return t.Name == "go-modern" && strings.HasPrefix(r.item, "preference list TLSv1.")
	}, "both right for their hellos: crypto/tls prefers ChaCha20 when the client lists it first, so its order depends on the client's list; tlsaudit's alternating offers (and nmap's) mix both orders, testssl's shows the AES-first one"},
	{func(t target, r row) bool {
		return scripted(t) && r.item == "robot" && val(r, "tlsaudit") == ""
	}, "the scripted server cannot process a ClientKeyExchange (it resets or closes at random under load): tlsaudit says inconclusive, testssl not vulnerable"},
	{func(t target, r row) bool {
		return t.Name == "openssl-chacha" && r.item == "order TLSv1.3" && val(r, "nmap") == "client"
	}, "peer: with -prioritize_chacha the server picks ChaCha20 for a client that lists it first, which nmap's order test reads as client order; s_client offering AES-128 then AES-256 gets AES-256 (server order)"},
	{func(t target, r row) bool {
		return t.Name == "openssl-mtls" && strings.HasPrefix(r.item, "suites ") && val(r, "tlsaudit") == val(r, "nmap")
	}, "peer: sslscan's OpenSSL handshakes fail for want of a client certificate, so it lists no TLS 1.2 suite"},
	{func(t target, r row) bool {
		return (t.Name == "openssl-ed25519" || t.Name == "openssl-x448-only") &&
			(strings.HasPrefix(r.item, "TLSv") || strings.HasPrefix(r.item, "suites TLSv")) &&
			val(r, "tlsaudit") == val(r, "sslscan") && (val(r, "nmap") == "no" || strings.HasPrefix(val(r, "nmap"), "0:"))
	}, "peer: nmap offers neither the ed25519 signature algorithm nor the x448 group, so these servers refuse its hellos"},
	{func(t target, r row) bool {
		return t.Name == "vuln12-reneg" && r.item == "error" && val(r, "sslscan") != ""
	},
		"peer: sslscan hangs on a server that completes client-initiated renegotiation (killed after 4 minutes)"},
}

func explain(t target, r row) string {
	for _, e := range explanations {
		if e.match(t, r) {
			return e.why
		}
	}
	return ""
}
