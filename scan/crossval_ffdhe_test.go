package scan

import (
	"slices"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// Found by bench/crossval: GnuTLS negotiates RFC 7919 FFDHE groups at
// TLS 1.2. A client offering ffdhe2048 in supported_groups (as nmap, Java
// and GnuTLS clients do) gets the 2048-bit ffdhe2048 prime; one that does
// not (tlsaudit's ECDHE-only group list) gets the 1024-bit --dhparams. nmap
// reported DH 2048 and tlsaudit only 1024: both were right for their hello,
// but tlsaudit missed the FFDHE groups that obs.Groups.TLS12 promises and
// the 2048-bit parameters the server really uses.
func TestCrossvalTLS12FFDHEGroups(t *testing.T) {
	srv := tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{
		Priority:    "NORMAL:-VERS-TLS1.3:+DHE-RSA:%SERVER_PRECEDENCE",
		DHParamBits: 1024,
	})
	o := scanServer(t, srv)
	if o.Groups == nil {
		t.Fatal("no groups recorded")
	}
	ids := groupIDs(o.Groups.TLS12)
	// GnuTLS 3.7 accepts every RFC 7919 group.
	for _, want := range []uint16{0x0100, 0x0101, 0x0102, 0x0103, 0x0104} {
		if !slices.Contains(ids, want) {
			t.Errorf("TLS 1.2 groups %v lack FFDHE group 0x%04x", o.Groups.TLS12, want)
		}
	}
	// The EC groups are still there, first.
	if len(ids) == 0 || ids[0] >= 0x0100 {
		t.Errorf("TLS 1.2 groups %v: want the EC groups first", o.Groups.TLS12)
	}
	bits := map[int]string{}
	for _, d := range o.DH {
		bits[d.Bits] = d.Known
	}
	if _, ok := bits[1024]; !ok {
		t.Errorf("DH %v: the 1024-bit --dhparams (clients without FFDHE groups) are missing", bits)
	}
	if bits[2048] != "ffdhe2048" {
		t.Errorf("DH %v: the ffdhe2048 prime a client offering it gets is missing", bits)
	}
}

// OpenSSL 3.0 does not negotiate FFDHE groups at TLS 1.2: a server with
// fixed ffdhe2048 parameters sends them whatever the client offers, so no
// FFDHE group is reported as negotiated.
func TestCrossvalTLS12FixedFFDHEParams(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{
		MaxProtocol: "TLSv1.2", Ciphers: "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256", DHGroup: "ffdhe2048",
	})
	o := scanServer(t, srv)
	if o.Groups == nil {
		t.Fatal("no groups recorded")
	}
	for _, g := range o.Groups.TLS12 {
		if g.ID >= 0x0100 && g.ID <= 0x01ff {
			t.Errorf("TLS 1.2 groups %v: %s reported, but the server's DH parameters are fixed", o.Groups.TLS12, g.Name)
		}
	}
	if len(o.DH) != 1 || o.DH[0].Known != "ffdhe2048" {
		t.Errorf("DH %+v: want exactly the fixed ffdhe2048 parameters", o.DH)
	}
}
