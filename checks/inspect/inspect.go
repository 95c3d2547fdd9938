// Package inspect audits certificates, chains, CSRs and private keys given
// as bytes (PEM or DER) rather than served by a host: the chain, leaf and
// zlint checks of a live audit, chain order, trust per store, and which
// private key matches which certificate or CSR. It does no I/O; the CLI's
// "inspect" command and the server's decoder page read the input and
// render the Result.
package inspect

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// Input is what the given files or texts held, classified.
type Input struct {
	Certs []Item
	CSRs  []Item
	Keys  []Item
}

// Item is one certificate, CSR or key.
type Item struct {
	File string // the file (or field) it came from
	DER  []byte
	Kind string // PEM type or "DER ..."
}

// Result is the analysis (the JSON of "tlsaudit inspect --json").
type Result struct {
	Files    []string               `json:"files"`
	Analysis *certanalysis.Analysis `json:"analysis,omitempty"`
	CSRs     []CSRInfo              `json:"csrs,omitempty"`
	Keys     []KeyInfo              `json:"keys,omitempty"`
	Findings []checks.Finding       `json:"findings"`
}

// CSRInfo describes one certificate signing request.
type CSRInfo struct {
	File           string   `json:"file"`
	Subject        string   `json:"subject"`
	DNSNames       []string `json:"dns_names,omitempty"`
	IPs            []string `json:"ip_addresses,omitempty"`
	Key            string   `json:"key"`
	SigAlg         string   `json:"signature_algorithm"`
	SignatureValid bool     `json:"signature_valid"`
}

// KeyInfo describes one private key (never its secret part).
type KeyInfo struct {
	File string `json:"file"`
	Type string `json:"type"`
	// Matches names the certificates and CSRs with this key's public key.
	Matches []string `json:"matches,omitempty"`
}

// Add classifies the PEM blocks of data (or its DER content) named name.
// PEM blocks of other types are skipped; data with no certificate, CSR or
// key is an error.
func (in *Input) Add(name string, data []byte) error {
	err := in.add(name, data)
	if err == nil && len(in.Certs)+len(in.CSRs)+len(in.Keys) > MaxItems {
		err = fmt.Errorf("%s: more than %d certificates, CSRs and keys in all (the cap of one inspect run)", name, MaxItems)
	}
	return err
}

// MaxItems caps the certificates, CSRs and keys of one inspect run: the
// analysis relates every certificate to every other (leaf, chain order,
// key matches), so its cost grows with the square of their number. A
// system bundle of roots holds a few hundred.
const MaxItems = 1000

func (in *Input) add(name string, data []byte) error {
	found := 0
	rest := data
	for {
		if len(in.Certs)+len(in.CSRs)+len(in.Keys) > MaxItems {
			return nil // Add reports it
		}
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		item := Item{File: name, DER: b.Bytes, Kind: b.Type}
		switch b.Type {
		case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
			in.Certs = append(in.Certs, item)
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
			in.CSRs = append(in.CSRs, item)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			in.Keys = append(in.Keys, item)
		default:
			continue
		}
		found++
	}
	if found > 0 {
		return nil
	}
	// DER: one or more concatenated certificates, a CSR or a private key.
	if cs, err := x509.ParseCertificates(data); err == nil && len(cs) > 0 {
		for _, c := range cs {
			in.Certs = append(in.Certs, Item{File: name, DER: c.Raw, Kind: "DER certificate"})
		}
		return nil
	}
	if _, err := truststore.Parse("", data); err == nil { // lenient parse (e.g. a negative serial)
		in.Certs = append(in.Certs, Item{File: name, DER: data, Kind: "DER certificate"})
		return nil
	}
	if _, err := x509.ParseCertificateRequest(data); err == nil {
		in.CSRs = append(in.CSRs, Item{File: name, DER: data, Kind: "DER CSR"})
		return nil
	}
	if _, err := parsePrivateKey(data); err == nil {
		in.Keys = append(in.Keys, Item{File: name, DER: data, Kind: "DER private key"})
		return nil
	}
	return fmt.Errorf("%s: not a certificate, CSR or private key (PEM or DER)", name)
}

// leafIndex returns the index of the end-entity certificate: the first one
// that issued none of the others (0 when that cannot be told).
func leafIndex(items []Item) int {
	var cs []*x509.Certificate
	for _, it := range items {
		c, err := x509.ParseCertificate(it.DER)
		if err != nil {
			return 0
		}
		cs = append(cs, c)
	}
	for i, c := range cs {
		issuedOther := false
		for j, o := range cs {
			if i != j && bytes.Equal(o.RawIssuer, c.RawSubject) && !bytes.Equal(o.RawIssuer, o.RawSubject) {
				issuedOther = true
			}
		}
		if !issuedOther {
			return i
		}
	}
	return 0
}

func parsePrivateKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, errors.New("unsupported private key type")
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("not a private key")
}

// Inspect runs the certificate checks over in; env gives the clock, the
// expiry window, the host name the leaf must match and the trust stores.
func Inspect(in Input, files []string, env checks.Env) Result {
	res := Result{Files: files}
	o := &obs.Observation{Schema: obs.SchemaVersion, Status: obs.StatusOK, Target: obs.Target{Host: env.Hostname, SNI: env.Hostname}}
	if li := leafIndex(in.Certs); li > 0 {
		// Analyse leaf first, and report the order as given.
		res.Findings = append(res.Findings, checks.Finding{CheckID: checks.IDCertChainOrder, Title: "Certificate chain in the wrong order",
			Category: "cert", Status: checks.StatusFail, Severity: checks.SeverityLow,
			Detail: fmt.Sprintf("the leaf is certificate #%d, not the first one", li)})
		certs := append([]Item{in.Certs[li]}, in.Certs[:li]...)
		in.Certs = append(certs, in.Certs[li+1:]...)
	}
	if len(in.Certs) > 0 {
		ch := obs.Chain{}
		for _, c := range in.Certs {
			ch.Certificates = append(ch.Certificates, obs.Certificate{DER: c.DER})
		}
		o.Chains = []obs.Chain{ch}
		res.Analysis = cert.Analyze(o, env)
		for _, f := range all.Registry().Run(o, env) {
			if f.CheckID == checks.IDCertChainOrder && len(res.Findings) > 0 && res.Findings[0].CheckID == f.CheckID {
				continue // already reported
			}
			if f.Category == "cert" && f.Status != checks.StatusNotApplicable && f.Status != checks.StatusPass {
				res.Findings = append(res.Findings, f)
			}
		}
	}
	// Public keys of the certificates and CSRs, to match private keys against.
	type pub struct {
		name string
		spki []byte
	}
	var pubs []pub
	for i, c := range in.Certs {
		if xc, err := x509.ParseCertificate(c.DER); err == nil {
			pubs = append(pubs, pub{fmt.Sprintf("certificate #%d (%s)", i, xc.Subject), xc.RawSubjectPublicKeyInfo})
		}
	}
	for _, c := range in.CSRs {
		ci := CSRInfo{File: c.File}
		r, err := x509.ParseCertificateRequest(c.DER)
		if err != nil {
			res.Findings = append(res.Findings, checks.Finding{CheckID: "inspect.csr", Title: "Unreadable CSR", Category: "cert",
				Status: checks.StatusFail, Severity: checks.SeverityHigh, Subject: c.File, Detail: err.Error()})
			continue
		}
		ci.Subject, ci.DNSNames, ci.SigAlg = r.Subject.String(), r.DNSNames, r.SignatureAlgorithm.String()
		for _, ip := range r.IPAddresses {
			ci.IPs = append(ci.IPs, ip.String())
		}
		ci.Key = publicKeyDesc(r.PublicKey)
		ci.SignatureValid = r.CheckSignature() == nil
		if !ci.SignatureValid {
			res.Findings = append(res.Findings, checks.Finding{CheckID: "inspect.csr", Title: "CSR signature invalid", Category: "cert",
				Status: checks.StatusFail, Severity: checks.SeverityHigh, Subject: c.File, Detail: "the CSR is not signed by its own key"})
		}
		res.CSRs = append(res.CSRs, ci)
		pubs = append(pubs, pub{"CSR " + c.File, r.RawSubjectPublicKeyInfo})
	}
	for _, k := range in.Keys {
		ki := KeyInfo{File: k.File}
		s, err := parsePrivateKey(k.DER)
		if err != nil {
			ki.Type = "unreadable"
		} else {
			ki.Type = publicKeyDesc(s.Public())
			spki, err := x509.MarshalPKIXPublicKey(s.Public())
			for _, p := range pubs {
				if err == nil && bytes.Equal(spki, p.spki) {
					ki.Matches = append(ki.Matches, p.name)
				}
			}
		}
		if len(ki.Matches) == 0 && len(pubs) > 0 {
			res.Findings = append(res.Findings, checks.Finding{CheckID: "inspect.key_mismatch", Title: "Private key matches no certificate",
				Category: "cert", Status: checks.StatusFail, Severity: checks.SeverityHigh, Subject: k.File,
				Detail: "the private key's public key is in none of the certificates or CSRs given"})
		}
		res.Keys = append(res.Keys, ki)
	}
	sort.SliceStable(res.Findings, func(i, j int) bool {
		return res.Findings[i].Severity.Rank() > res.Findings[j].Severity.Rank()
	})
	if res.Findings == nil {
		res.Findings = []checks.Finding{}
	}
	return res
}

func publicKeyDesc(k crypto.PublicKey) string {
	switch k := k.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", k)
}
