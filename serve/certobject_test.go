package serve

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// The Cert objects carry what the report knows of each certificate beyond
// the certificate: the Debian weak key verdict, OCSP and CRL results (an
// audit that checked revocation), the host's CAA records (an audit that
// looked them up). Without those facts the documented defaults stand.
func TestCertObjectsTakeRevocationWeakKeyAndCAAFromTheReport(t *testing.T) {
	leaf, inter := obs.Certificate{SHA256: "aa", KeyType: "RSA", KeyBits: 2048}, obs.Certificate{SHA256: "bb", KeyType: "RSA", KeyBits: 2048}
	r := &report.Report{
		Observation: &obs.Observation{
			Chains: []obs.Chain{{KeyType: "RSA", Certificates: []obs.Certificate{leaf, inter}}},
			DNS:    &obs.DNSRecords{CAAName: "example.test", CAA: []obs.CAARecord{{Flag: 128, Tag: "issue", Value: "ca.test"}}},
		},
		Certificates: &cert.Analysis{Chains: []cert.ChainAnalysis{{
			Certificates: []certanalysis.CertSummary{{Key: certanalysis.KeyInfo{DebianWeak: true}}, {}},
			Leaf:         &certanalysis.LeafFacts{HostnameMatch: true},
			Revocation: []obs.RevocationCheck{
				{Cert: "aa", Method: "ocsp", Status: "good"},
				{Cert: "aa", Method: "crl", Status: "revoked"},
				{Cert: "bb", Method: "ocsp", Status: "error", Error: "timeout"},
			},
		}}},
	}
	certs, _ := hostCerts([]*report.Report{r})
	if len(certs) != 2 {
		t.Fatalf("%d certs", len(certs))
	}
	l, i := certs[0], certs[1]
	if l.OcspRevocationStatus != 2 || l.CrlRevocationStatus != 1 || l.RevocationStatus != 1 {
		t.Errorf("leaf revocation %d/%d/%d, want ocsp 2, crl 1, overall 1 (revoked)", l.OcspRevocationStatus, l.CrlRevocationStatus, l.RevocationStatus)
	}
	if i.OcspRevocationStatus != 3 || i.CrlRevocationStatus != 0 || i.RevocationStatus != 3 {
		t.Errorf("intermediate revocation %d/%d/%d, want ocsp 3, crl 0, overall 3 (check error)", i.OcspRevocationStatus, i.CrlRevocationStatus, i.RevocationStatus)
	}
	if !l.KeyKnownDebianInsecure || l.Issues&512 == 0 || i.KeyKnownDebianInsecure {
		t.Errorf("debian weak: leaf %v (issues %d), intermediate %v", l.KeyKnownDebianInsecure, l.Issues, i.KeyKnownDebianInsecure)
	}
	if !l.DNSCaa || l.CaaPolicy == nil || l.CaaPolicy.PolicyHostname != "example.test" || len(l.CaaPolicy.CaaRecords) != 1 ||
		l.CaaPolicy.CaaRecords[0] != (CaaRecord{Tag: "issue", Value: "ca.test", Flags: 128}) || i.DNSCaa || i.CaaPolicy != nil {
		t.Errorf("CAA: leaf %v %+v, intermediate %v", l.DNSCaa, l.CaaPolicy, i.DNSCaa)
	}

	// Without the facts: not checked (0), or no revocation information (4)
	// for a certificate that names neither a CRL nor an OCSP responder.
	r.Certificates.Chains[0].Revocation, r.Observation.DNS = nil, nil
	certs, _ = hostCerts([]*report.Report{r})
	if certs[0].RevocationStatus != 4 || certs[0].OcspRevocationStatus != 0 || certs[0].DNSCaa || certs[0].CaaPolicy != nil {
		t.Errorf("without facts: %+v", certs[0])
	}
}
