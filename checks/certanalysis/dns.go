package certanalysis

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// CAAResult is the CAA evaluation (RFC 8659) of the leaf's issuer.
type CAAResult struct {
	Present bool     `json:"present"`
	Name    string   `json:"name,omitempty"` // where the relevant record set was found
	Issue   []string `json:"issue,omitempty"`
	// IssueWild are issuewild values (they govern wildcard certificates).
	IssueWild []string `json:"issuewild,omitempty"`
	IODef     []string `json:"iodef,omitempty"`
	// Permits: whether the record set allows the CA that issued the leaf;
	// nil when that cannot be told (the issuer's CAA domain is not known).
	Permits *bool  `json:"permits,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	Error   string `json:"error,omitempty"`
	// UnknownCritical: a critical property tlsaudit does not know (no CA may issue).
	UnknownCritical []string `json:"unknown_critical,omitempty"`
}

// DANEResult is the DANE TLSA evaluation (RFC 6698, RFC 7671).
type DANEResult struct {
	Name          string `json:"name,omitempty"`
	Records       int    `json:"records"`
	Matched       bool   `json:"matched"`
	MatchedRecord string `json:"matched_record,omitempty"`
	Authenticated bool   `json:"authenticated"`
	Error         string `json:"error,omitempty"`
}

// caaDomains maps issuer organisation words to CAA issuer domains of some
// well-known CAs. Unknown CAs fall back to matching the first label of the
// CAA domain against the issuer's O and CN.
var caaDomains = map[string][]string{
	"let's encrypt":         {"letsencrypt.org"},
	"digicert":              {"digicert.com", "symantec.com", "geotrust.com", "rapidssl.com", "thawte.com"},
	"sectigo":               {"sectigo.com", "comodoca.com", "comodo.com", "usertrust.com", "trust-provider.com"},
	"comodo":                {"sectigo.com", "comodoca.com", "comodo.com"},
	"zerossl":               {"sectigo.com", "zerossl.com"},
	"globalsign":            {"globalsign.com"},
	"google trust services": {"pki.goog", "google.com"},
	"amazon":                {"amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"},
	"buypass":               {"buypass.com", "buypass.no"},
	"entrust":               {"entrust.net"},
	"microsoft":             {"microsoft.com"},
	"ssl corporation":       {"ssl.com"},
}

func evalCAA(d *obs.DNSRecords, ch ChainAnalysis) *CAAResult {
	r := &CAAResult{Name: d.CAAName, Error: d.CAAError}
	for _, rec := range d.CAA {
		r.Present = true
		val := strings.TrimSpace(rec.Value)
		switch strings.ToLower(rec.Tag) {
		case "issue":
			r.Issue = append(r.Issue, val)
		case "issuewild":
			r.IssueWild = append(r.IssueWild, val)
		case "iodef":
			r.IODef = append(r.IODef, val)
		default:
			if rec.Flag&0x80 != 0 {
				r.UnknownCritical = append(r.UnknownCritical, rec.Tag)
			}
		}
	}
	if !r.Present || len(ch.Certificates) == 0 {
		return r
	}
	leaf := ch.Certificates[0]
	r.Issuer = leaf.Issuer
	wild := false
	if ch.Leaf != nil {
		for _, n := range ch.Leaf.DNSNames {
			if strings.HasPrefix(n, "*.") {
				wild = true
			}
		}
	}
	vals := r.Issue
	if wild && len(r.IssueWild) > 0 {
		vals = r.IssueWild
	}
	if len(r.UnknownCritical) > 0 {
		f := false
		r.Permits = &f
		return r
	}
	if len(vals) == 0 { // only iodef or unknown non-critical tags: no restriction
		t := true
		r.Permits = &t
		return r
	}
	verdict := false
	known := false
	for _, v := range vals {
		dom := strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]))
		if dom == "" { // "issue ;" forbids issuance
			known = true
			continue
		}
		if ok, k := issuerMatchesCAADomain(leaf.Issuer, dom); k {
			known = true
			verdict = verdict || ok
		}
	}
	if verdict || known {
		r.Permits = &verdict
	}
	return r
}

// issuerMatchesCAADomain tells whether an issuer DN belongs to the CA owning
// a CAA domain; known is false when it cannot be told.
func issuerMatchesCAADomain(issuerDN, dom string) (match, known bool) {
	iss := strings.ToLower(issuerDN)
	for org, doms := range caaDomains {
		for _, d := range doms {
			if d != dom {
				continue
			}
			known = true // the CAA domain belongs to a known CA
			if strings.Contains(iss, org) {
				return true, true
			}
		}
	}
	label := strings.SplitN(dom, ".", 2)[0]
	squash := strings.NewReplacer(" ", "", "-", "", "'", "", ".", "").Replace
	if len(label) >= 3 && strings.Contains(squash(iss), squash(label)) {
		return true, true
	}
	return false, known
}

func evalDANE(d *obs.DNSRecords, chains []obs.Chain, an []ChainAnalysis) *DANEResult {
	if len(d.TLSA) == 0 && d.TLSAError == "" {
		return nil
	}
	r := &DANEResult{Name: d.TLSAName, Records: len(d.TLSA), Authenticated: d.Authenticated, Error: d.TLSAError}
	for ci, ch := range chains {
		if len(ch.Certificates) == 0 {
			continue
		}
		trusted := false
		for _, t := range an[ci].Trust {
			trusted = trusted || t.Trusted
		}
		for _, rec := range d.TLSA {
			certs := ch.Certificates
			switch rec.Usage {
			case 1, 3: // end entity
				certs = certs[:1]
			case 0, 2: // trust anchor / CA: any certificate above the leaf
				certs = certs[1:]
			default:
				continue
			}
			if rec.Usage <= 1 && !trusted { // PKIX usages also need PKIX validation
				continue
			}
			for _, c := range certs {
				if tlsaMatches(rec, c.DER) {
					r.Matched = true
					r.MatchedRecord = fmt.Sprintf("%d %d %d %s", rec.Usage, rec.Selector, rec.MatchingType, rec.Data)
					return r
				}
			}
		}
	}
	return r
}

// tlsaMatches compares one TLSA record to a certificate (RFC 6698 2.1).
func tlsaMatches(rec obs.TLSARecord, der []byte) bool {
	var data []byte
	switch rec.Selector {
	case 0:
		data = der
	case 1:
		p := newPCert(der, "served", -1, nil, nil)
		if p.c == nil {
			return false
		}
		data = p.c.RawSubjectPublicKeyInfo
	default:
		return false
	}
	var sum []byte
	switch rec.MatchingType {
	case 0:
		sum = data
	case 1:
		s := sha256.Sum256(data)
		sum = s[:]
	case 2:
		s := sha512.Sum512(data)
		sum = s[:]
	default:
		return false
	}
	return strings.EqualFold(hex.EncodeToString(sum), strings.TrimSpace(rec.Data))
}
