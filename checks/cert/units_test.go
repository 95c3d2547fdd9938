package cert

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func TestCAAAndDANE(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	o := observe(host, p.Good, p.Inter)
	spki := sha256.Sum256(p.Good.Cert.RawSubjectPublicKeyInfo)
	full := sha256.Sum256(p.Inter.DER)
	o.DNS = &obs.DNSRecords{
		CAAName: "example.test", CAA: []obs.CAARecord{{Tag: "issue", Value: "tlsaudit.test"}},
		TLSAName: "_443._tcp.www.example.test",
		TLSA:     []obs.TLSARecord{{Usage: 3, Selector: 1, MatchingType: 1, Data: hex.EncodeToString(spki[:])}},
	}
	// The issuer's O is "tlsaudit test": the CAA domain "tlsaudit.test" matches it.
	if st := status(t, "cert.caa_forbids_issuer", o, env); st != checks.StatusPass {
		t.Errorf("CAA permitting the issuer: %s %+v", st, run(t, "cert.caa_forbids_issuer", o, env))
	}
	if st := status(t, "cert.dane_mismatch", o, env); st != checks.StatusPass {
		t.Errorf("DANE-EE SPKI match: %s", st)
	}
	o2 := observe(host, p.Good, p.Inter)
	o2.DNS = &obs.DNSRecords{
		CAAName: "example.test", CAA: []obs.CAARecord{{Tag: "issue", Value: "letsencrypt.org"}},
		TLSA: []obs.TLSARecord{{Usage: 3, Selector: 0, MatchingType: 1, Data: hex.EncodeToString(full[:])}},
	}
	// Let's Encrypt is not the issuer; the matching type 1 record hashes the
	// intermediate, which a DANE-EE record cannot match.
	if st := status(t, "cert.caa_forbids_issuer", o2, env); st != checks.StatusFail {
		t.Errorf("CAA for another CA: %s", st)
	}
	if st := status(t, "cert.dane_mismatch", o2, env); st != checks.StatusFail {
		t.Errorf("DANE mismatch: %s", st)
	}
	o2.DNS.TLSA[0].Usage = 2 // DANE-TA on the intermediate
	o3 := observe(host, p.Good, p.Inter)
	o3.DNS = o2.DNS
	if st := status(t, "cert.dane_mismatch", o3, env); st != checks.StatusPass {
		t.Errorf("DANE-TA match: %s", st)
	}
	o4 := observe(host, p.Good, p.Inter)
	o4.DNS = &obs.DNSRecords{CAA: []obs.CAARecord{{Flag: 128, Tag: "tbs", Value: "x"}}}
	if st := status(t, "cert.caa_forbids_issuer", o4, env); st != checks.StatusFail {
		t.Errorf("unknown critical CAA tag: %s", st)
	}
}
