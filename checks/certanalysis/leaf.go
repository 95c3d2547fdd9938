package certanalysis

import (
	"encoding/asn1"
	"strings"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

var oidTLSFeature = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}

// MaxValidityDays is the CA/Browser Forum maximum validity period (in days)
// for a TLS server certificate issued at notBefore: 398 days since
// 2020-09-01, then 200 days from 2026-03-15, 100 days from 2027-03-15 and 47
// days from 2029-03-15 (Baseline Requirements 6.3.2, ballot SC-081). Earlier
// limits: 825 days from 2018-03-01, 39 months before.
func MaxValidityDays(notBefore time.Time) int {
	switch {
	case !notBefore.Before(time.Date(2029, 3, 15, 0, 0, 0, 0, time.UTC)):
		return 47
	case !notBefore.Before(time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)):
		return 100
	case !notBefore.Before(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)):
		return 200
	case !notBefore.Before(time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC)):
		return 398
	case !notBefore.Before(time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC)):
		return 825
	}
	return 1187 // 39 months
}

// validityDays is the inclusive validity period (RFC 5280: both bounds
// included), in whole days rounded up.
func validityDays(nb, na time.Time) int {
	d := na.Sub(nb) + time.Second
	days := int(d / (24 * time.Hour))
	if d%(24*time.Hour) != 0 {
		days++
	}
	return days
}

// daysLeft: whole days until t (negative once past).
func daysLeft(now, t time.Time) int { return obs.DaysLeft(t, now) }

func leafFacts(p *pcert, host string, now time.Time, warn time.Duration) *LeafFacts {
	if p.c == nil {
		return nil
	}
	c := p.c
	lf := &LeafFacts{Hostname: host, DNSNames: c.DNSNames, CN: c.Subject.CommonName, NotAfter: c.NotAfter.UTC()}
	for _, ip := range c.IPAddresses {
		lf.IPs = append(lf.IPs, ip.String())
	}
	if host != "" {
		lf.MatchedName, lf.HostnameMatch = MatchHostname(host, c.DNSNames, c.IPAddresses)
	}
	lf.CNOnly = len(c.DNSNames) == 0 && len(c.IPAddresses) == 0 && looksLikeHostname(c.Subject.CommonName)
	lf.DaysLeft = daysLeft(now, c.NotAfter)
	lf.Expired = now.After(c.NotAfter)
	lf.NotYetValid = now.Before(c.NotBefore)
	if warn <= 0 {
		warn = 30 * 24 * time.Hour
	}
	lf.ExpiresSoon = !lf.Expired && c.NotAfter.Sub(now) < warn
	lf.ValidityDays = validityDays(c.NotBefore, c.NotAfter)
	lf.MaxValidityDays = MaxValidityDays(c.NotBefore)
	switch c.ValidationLevel {
	case zx509.EV:
		lf.Validation = "EV"
	case zx509.OV:
		lf.Validation = "OV"
	case zx509.DV:
		lf.Validation = "DV"
	}
	lf.MustStaple = mustStaple(c)
	lf.OCSPURLs = c.OCSPServer
	lf.CRLURLs = c.CRLDistributionPoints
	lf.CAIssuerURLs = c.IssuingCertificateURL
	return lf
}

// mustStaple: the TLS Feature extension (RFC 7633) lists status_request (5).
func mustStaple(c *zx509.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Id.String() != oidTLSFeature.String() {
			continue
		}
		var feats []int
		if _, err := asn1.Unmarshal(e.Value, &feats); err != nil {
			return false
		}
		for _, f := range feats {
			if f == 5 {
				return true
			}
		}
	}
	return false
}

// symantecOrgs are the organisations of the legacy Symantec PKI (VeriSign,
// Thawte, GeoTrust, RapidSSL, Equifax) distrusted by browsers in 2018. The
// DigiCert-operated replacements carry O=DigiCert Inc and do not match.
var symantecOrgs = []string{"symantec corporation", "verisign, inc.", "thawte, inc.", "thawte consulting",
	"geotrust inc.", "geotrust, inc.", "equifax", "equifax secure inc."}

func isSymantec(c *zx509.Certificate) bool {
	for _, o := range c.Issuer.Organization {
		o = strings.ToLower(strings.TrimSpace(o))
		for _, s := range symantecOrgs {
			if o == s || strings.HasPrefix(o, s+" ") {
				return true
			}
		}
	}
	return false
}
