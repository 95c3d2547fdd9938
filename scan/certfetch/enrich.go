package certfetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Options choose the opt-in fetches of Enrich.
type Options struct {
	FetchAIA        bool   // --fetch-aia
	CheckRevocation bool   // --check-revocation
	Resolver        string // --resolver "host[:port]": CAA and TLSA lookups; empty: none
	Limits          Limits
	// Roots are extra anchors (DER) used to find the issuer of the last
	// served certificate for revocation checks.
	Roots [][]byte
}

// Enrich performs the opt-in network fetches for every served chain of o and
// records the results in o.AIAFetched, o.Revocation and o.DNS. Each fetch is
// bounded by opts.Limits; failures are recorded, never returned.
func Enrich(ctx context.Context, o *obs.Observation, opts Options) {
	seen := map[string]bool{}
	for _, ch := range o.Chains {
		var ders [][]byte
		for _, c := range ch.Certificates {
			ders = append(ders, c.DER)
		}
		if opts.FetchAIA {
			ders = append(ders, fetchMissing(ctx, o, ders, opts.Limits, seen)...)
		}
		if opts.CheckRevocation && len(ch.Certificates) > 0 {
			leaf := ch.Certificates[0].DER
			if seen["rev:"+sha256Hex(leaf)] {
				continue
			}
			seen["rev:"+sha256Hex(leaf)] = true
			issuer := findIssuer(leaf, append(ders[1:], opts.Roots...))
			if issuer == nil {
				o.Revocation = append(o.Revocation, obs.RevocationCheck{Cert: sha256Hex(leaf), Method: "ocsp", Status: "error", Error: "issuer not available"})
				continue
			}
			o.Revocation = append(o.Revocation, CheckRevocation(ctx, leaf, issuer, opts.Limits)...)
		}
	}
	if opts.Resolver != "" {
		host := o.Target.SNI
		if host == "" {
			host = o.Target.Host
		}
		d := &obs.DNSRecords{Resolver: opts.Resolver}
		var err error
		if d.CAA, d.CAAName, err = LookupCAA(ctx, opts.Resolver, host); err != nil {
			d.CAAError = err.Error()
		}
		d.TLSAName = TLSAName(o.Target.Port, host)
		if d.TLSA, d.Authenticated, err = LookupTLSA(ctx, opts.Resolver, o.Target.Port, host); err != nil {
			d.TLSAError = err.Error()
		}
		o.DNS = d
	}
}

// CheckRevocation queries the OCSP responders and, when none answers, the
// CRLs named in cert (DER).
func CheckRevocation(ctx context.Context, cert, issuer []byte, lim Limits) []obs.RevocationCheck {
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		return []obs.RevocationCheck{{Cert: sha256Hex(cert), Method: "ocsp", Status: "error", Error: err.Error()}}
	}
	var out []obs.RevocationCheck
	for _, u := range first(c.OCSPServer, 2) {
		rc := QueryOCSP(ctx, u, cert, issuer, lim)
		out = append(out, rc)
		if rc.Status != "error" {
			return out
		}
	}
	for _, u := range first(c.CRLDistributionPoints, 2) {
		rc := FetchCRL(ctx, u, cert, issuer, lim)
		out = append(out, rc)
		if rc.Status != "error" {
			return out
		}
	}
	return out
}

// fetchMissing follows the caIssuers URL of the last certificate of the
// chain whose issuer is not among ders, up to 3 steps.
func fetchMissing(ctx context.Context, o *obs.Observation, ders [][]byte, lim Limits, seen map[string]bool) [][]byte {
	var got [][]byte
	all := append([][]byte(nil), ders...)
	cur := lastWithoutIssuer(all)
	for step := 0; step < 3 && cur != nil; step++ {
		if isSelfIssued(cur) || len(cur.IssuingCertificateURL) == 0 {
			break
		}
		u := cur.IssuingCertificateURL[0]
		if seen["aia:"+u] {
			break
		}
		seen["aia:"+u] = true
		der, err := FetchAIA(ctx, u, lim)
		fc := obs.FetchedCert{URL: u, For: sha256Hex(cur.Raw), DER: der}
		if err != nil {
			fc.Error = err.Error()
		}
		o.AIAFetched = append(o.AIAFetched, fc)
		if err != nil {
			break
		}
		got = append(got, der)
		all = append(all, der)
		cur, _ = x509.ParseCertificate(der)
	}
	return got
}

// lastWithoutIssuer walks from the leaf through the served certificates and
// returns the first one whose issuer is not served.
func lastWithoutIssuer(ders [][]byte) *x509.Certificate {
	if len(ders) == 0 {
		return nil
	}
	cur, err := x509.ParseCertificate(ders[0])
	for i := 0; err == nil && i < len(ders); i++ {
		next := findIssuer(cur.Raw, ders)
		if next == nil || bytes.Equal(next, cur.Raw) {
			return cur
		}
		cur, err = x509.ParseCertificate(next)
	}
	if err != nil {
		return nil
	}
	return cur
}

// findIssuer returns the DER of the certificate among cands that signed cert.
func findIssuer(cert []byte, cands [][]byte) []byte {
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		return nil
	}
	for _, d := range cands {
		p, err := x509.ParseCertificate(d)
		if err != nil || bytes.Equal(p.Raw, c.Raw) || !bytes.Equal(p.RawSubject, c.RawIssuer) {
			continue
		}
		if c.CheckSignatureFrom(p) == nil {
			return d
		}
	}
	return nil
}

func isSelfIssued(c *x509.Certificate) bool { return bytes.Equal(c.RawSubject, c.RawIssuer) }

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
