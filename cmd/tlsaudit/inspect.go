package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

const inspectUsage = `usage: tlsaudit inspect [flags] FILE...

Audit certificates, chains, CSRs and private keys offline (PEM or DER): the
chain, leaf and zlint checks of a live audit, chain order, trust per store,
and whether each private key matches a certificate or CSR.

The certificates of all files form one chain, leaf first, in the order given.

Flags:
  --ca-file FILE     trust anchors (PEM) of a private PKI, as the store "custom"
  --system           also validate against the system store (` + certfetch.SystemBundle + `)
  --host NAME        host name the leaf must match
  --expiry-warn DAYS warn when the leaf expires within DAYS (default 30d)
  --json             write JSON instead of text

Exit status: 0 no high or critical problem, 1 a high or critical problem
(or a key that matches nothing), 2 usage or unreadable input.
`

// maxInspectFile caps one input file.
const maxInspectFile = 16 << 20

// inspectInput is what the files held.
type inspectInput struct {
	certs []inputItem
	csrs  []inputItem
	keys  []inputItem
}

type inputItem struct {
	file string
	der  []byte
	kind string // PEM type or "DER ..."
}

// inspectResult is the JSON output.
type inspectResult struct {
	Files    []string         `json:"files"`
	Analysis *cert.Analysis   `json:"analysis,omitempty"`
	CSRs     []csrInfo        `json:"csrs,omitempty"`
	Keys     []keyInfo        `json:"keys,omitempty"`
	Findings []checks.Finding `json:"findings"`
}

type csrInfo struct {
	File           string   `json:"file"`
	Subject        string   `json:"subject"`
	DNSNames       []string `json:"dns_names,omitempty"`
	IPs            []string `json:"ip_addresses,omitempty"`
	Key            string   `json:"key"`
	SigAlg         string   `json:"signature_algorithm"`
	SignatureValid bool     `json:"signature_valid"`
}

type keyInfo struct {
	File string `json:"file"`
	Type string `json:"type"`
	// Matches names the certificates and CSRs with this key's public key.
	Matches []string `json:"matches,omitempty"`
}

// inspectVars are the flags of inspect.
type inspectVars struct {
	caFile, host, expiry string
	asJSON, system       bool
}

func inspectFlagSet(v *inspectVars) *flag.FlagSet {
	fs := newFlagSet("inspect")
	fs.StringVar(&v.caFile, "ca-file", "", "")
	fs.StringVar(&v.host, "host", "", "")
	fs.StringVar(&v.expiry, "expiry-warn", "30d", "")
	fs.BoolVar(&v.asJSON, "json", false, "")
	fs.BoolVar(&v.system, "system", false, "")
	return fs
}

func runInspect(args []string, stdout, stderr io.Writer) int {
	var v inspectVars
	files, _, err := parseArgs(inspectFlagSet(&v), args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, inspectUsage)
			return exitOK
		}
		return usageError(stderr, err.Error(), "run 'tlsaudit inspect --help' for usage")
	}
	caFile, host, expiry, asJSON, system := v.caFile, v.host, v.expiry, v.asJSON, v.system
	warn, err := parseDays(expiry)
	if err != nil {
		return usageError(stderr, fmt.Sprintf("invalid --expiry-warn %q: %v", expiry, err), "")
	}
	if len(files) == 0 {
		return usageError(stderr, "no files given", "usage: tlsaudit inspect [--ca-file FILE] [--host NAME] [--json] FILE...")
	}
	var in inspectInput
	for _, f := range files {
		if err := readInspectFile(f, &in); err != nil {
			errorf(stderr, "%s", err)
			return exitUsage
		}
	}
	stores := []checks.TrustStore{cert.MozillaStore()}
	if system {
		st, err := certfetch.SystemStore()
		if err != nil {
			errorf(stderr, "system store: %v", err)
			return exitUsage
		}
		stores = append(stores, st)
	}
	if caFile != "" {
		st, err := certfetch.LoadCAFile(caFile)
		if err != nil {
			errorf(stderr, "--ca-file: %v", err)
			return exitUsage
		}
		stores = append(stores, st)
	}
	env := checks.Env{Now: time.Now().UTC(), ExpiryWarn: warn, Hostname: host, Stores: stores}
	res := inspect(in, files, env)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			errorf(stderr, "%v", err)
			return exitScan
		}
	} else {
		writeInspectText(stdout, res)
	}
	for _, f := range res.Findings {
		if f.Status == checks.StatusFail && (f.Severity == checks.SeverityHigh || f.Severity == checks.SeverityCritical) {
			return exitPolicy
		}
	}
	return exitOK
}

// readInspectFile classifies the PEM blocks (or the DER content) of one file.
func readInspectFile(name string, in *inspectInput) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxInspectFile+1))
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if len(data) > maxInspectFile {
		return fmt.Errorf("%s: larger than %d MiB", name, maxInspectFile>>20)
	}
	found := 0
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		item := inputItem{file: name, der: b.Bytes, kind: b.Type}
		switch b.Type {
		case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
			in.certs = append(in.certs, item)
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
			in.csrs = append(in.csrs, item)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			in.keys = append(in.keys, item)
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
			in.certs = append(in.certs, inputItem{file: name, der: c.Raw, kind: "DER certificate"})
		}
		return nil
	}
	if _, err := cert.ParseStore("", data); err == nil { // lenient parse (e.g. a negative serial)
		in.certs = append(in.certs, inputItem{file: name, der: data, kind: "DER certificate"})
		return nil
	}
	if _, err := x509.ParseCertificateRequest(data); err == nil {
		in.csrs = append(in.csrs, inputItem{file: name, der: data, kind: "DER CSR"})
		return nil
	}
	if _, err := parsePrivateKey(data); err == nil {
		in.keys = append(in.keys, inputItem{file: name, der: data, kind: "DER private key"})
		return nil
	}
	return fmt.Errorf("%s: not a certificate, CSR or private key (PEM or DER)", name)
}

// leafIndex returns the index of the end-entity certificate: the first one
// that issued none of the others (0 when that cannot be told).
func leafIndex(items []inputItem) int {
	var cs []*x509.Certificate
	for _, it := range items {
		c, err := x509.ParseCertificate(it.der)
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

// inspect runs the certificate checks over the inputs.
func inspect(in inspectInput, files []string, env checks.Env) inspectResult {
	res := inspectResult{Files: files}
	o := &obs.Observation{Schema: obs.SchemaVersion, Status: obs.StatusOK, Target: obs.Target{Host: env.Hostname, SNI: env.Hostname}}
	if li := leafIndex(in.certs); li > 0 {
		// Analyse leaf first, and report the order as given.
		res.Findings = append(res.Findings, checks.Finding{CheckID: "cert.chain_order", Title: "Certificate chain in the wrong order",
			Category: "cert", Status: checks.StatusFail, Severity: checks.SeverityLow,
			Detail: fmt.Sprintf("the leaf is certificate #%d, not the first one", li)})
		certs := append([]inputItem{in.certs[li]}, in.certs[:li]...)
		in.certs = append(certs, in.certs[li+1:]...)
	}
	if len(in.certs) > 0 {
		ch := obs.Chain{}
		for _, c := range in.certs {
			ch.Certificates = append(ch.Certificates, obs.Certificate{DER: c.der})
		}
		o.Chains = []obs.Chain{ch}
		res.Analysis = cert.Analyze(o, env)
		for _, f := range checks.Run(o, env) {
			if f.CheckID == "cert.chain_order" && len(res.Findings) > 0 && res.Findings[0].CheckID == f.CheckID {
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
	for i, c := range in.certs {
		if xc, err := x509.ParseCertificate(c.der); err == nil {
			pubs = append(pubs, pub{fmt.Sprintf("certificate #%d (%s)", i, xc.Subject), xc.RawSubjectPublicKeyInfo})
		}
	}
	for _, c := range in.csrs {
		ci := csrInfo{File: c.file}
		r, err := x509.ParseCertificateRequest(c.der)
		if err != nil {
			res.Findings = append(res.Findings, checks.Finding{CheckID: "inspect.csr", Title: "Unreadable CSR", Category: "cert",
				Status: checks.StatusFail, Severity: checks.SeverityHigh, Subject: c.file, Detail: err.Error()})
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
				Status: checks.StatusFail, Severity: checks.SeverityHigh, Subject: c.file, Detail: "the CSR is not signed by its own key"})
		}
		res.CSRs = append(res.CSRs, ci)
		pubs = append(pubs, pub{"CSR " + c.file, r.RawSubjectPublicKeyInfo})
	}
	for _, k := range in.keys {
		ki := keyInfo{File: k.file}
		s, err := parsePrivateKey(k.der)
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
				Category: "cert", Status: checks.StatusFail, Severity: checks.SeverityHigh, Subject: k.file,
				Detail: "the private key's public key is in none of the certificates or CSRs given"})
		}
		res.Keys = append(res.Keys, ki)
	}
	sort.SliceStable(res.Findings, func(i, j int) bool {
		return severityRank(res.Findings[i].Severity) > severityRank(res.Findings[j].Severity)
	})
	if res.Findings == nil {
		res.Findings = []checks.Finding{}
	}
	return res
}

func severityRank(s checks.Severity) int {
	return map[checks.Severity]int{checks.SeverityInfo: 0, checks.SeverityLow: 1, checks.SeverityMedium: 2,
		checks.SeverityHigh: 3, checks.SeverityCritical: 4}[s]
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

func writeInspectText(w io.Writer, res inspectResult) {
	if a := res.Analysis; a != nil {
		for _, ch := range a.Chains {
			fmt.Fprintln(w, "Chain (leaf first):")
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "#\tSubject\tIssuer\tKey\tSignature\tValidity\tSHA-256")
			for _, c := range ch.Certificates {
				if c.ParseError != "" {
					fmt.Fprintf(tw, "%d\t(unparsable: %s)\t\t\t\t\t%s\n", c.Index, c.ParseError, c.SHA256[:16])
					continue
				}
				key := c.Key.Type
				if c.Key.Bits > 0 {
					key += fmt.Sprintf(" %d", c.Key.Bits)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s .. %s\t%s\n", c.Index, short(c.Subject), short(c.Issuer), key, c.SigAlg,
					c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02"), c.SHA256[:16])
			}
			tw.Flush()
			for _, t := range ch.Trust {
				if t.Trusted {
					fmt.Fprintf(w, "Trust %-8s trusted (%s)\n", t.Store+":", pathString(t.Paths[0]))
				} else {
					fmt.Fprintf(w, "Trust %-8s NOT trusted: %s\n", t.Store+":", t.Reason)
				}
			}
			if lf := ch.Leaf; lf != nil {
				fmt.Fprintf(w, "Leaf: %d days left; validity %d days (max %d); %s\n", lf.DaysLeft, lf.ValidityDays, lf.MaxValidityDays,
					strings.Join(append(append([]string(nil), lf.DNSNames...), lf.IPs...), ", "))
				if len(ch.Certificates) > 0 {
					fmt.Fprintf(w, "Leaf SHA-256 %s, SPKI pin sha256/%s\n", ch.Certificates[0].SHA256, ch.Certificates[0].SPKIPin)
				}
			}
		}
	}
	for _, c := range res.CSRs {
		fmt.Fprintf(w, "CSR %s: %s, %s, %s, signature valid: %v\n", c.File, c.Subject, c.Key, strings.Join(c.DNSNames, ", "), c.SignatureValid)
	}
	for _, k := range res.Keys {
		if len(k.Matches) > 0 {
			fmt.Fprintf(w, "Key %s (%s) matches %s\n", k.File, k.Type, strings.Join(k.Matches, ", "))
		} else {
			fmt.Fprintf(w, "Key %s (%s) matches nothing given\n", k.File, k.Type)
		}
	}
	var shown, unchecked []checks.Finding
	for _, f := range res.Findings {
		if f.Status == checks.StatusInconclusive {
			unchecked = append(unchecked, f)
		} else {
			shown = append(shown, f)
		}
	}
	for _, f := range unchecked {
		fmt.Fprintf(w, "Not checked: %s: %s\n", f.CheckID, f.Detail)
	}
	if len(shown) == 0 {
		fmt.Fprintln(w, "Findings: none")
		return
	}
	fmt.Fprintln(w, "Findings:")
	for _, f := range shown {
		subj := ""
		if f.Subject != "" {
			subj = " [" + f.Subject + "]"
		}
		// A detail that does not fit after the check goes below it,
		// wrapped (zlint lists every lint).
		head := fmt.Sprintf("  %-8s %-13s %s%s:", f.Severity, f.Status, f.CheckID, subj)
		const indent = "                         "
		detail := report.TextDetail(f.Detail, 100-len(indent), indent)
		if len(head)+1+len(f.Detail) <= 100 {
			fmt.Fprintln(w, head+" "+detail)
		} else {
			fmt.Fprintln(w, head+"\n"+indent+detail)
		}
	}
}

func pathString(p cert.TrustPath) string {
	var parts []string
	for _, c := range p.Certs {
		parts = append(parts, short(c.Subject))
	}
	return strings.Join(parts, " -> ")
}

// short keeps a DN readable in a table: the CN when there is one.
func short(dn string) string {
	for _, part := range strings.Split(dn, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "CN="); ok {
			return v
		}
	}
	if len(dn) > 40 {
		return dn[:40] + "..."
	}
	return dn
}
