package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/inspect"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/report/termsafe"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
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
(or a key that matches none of the certificates and CSRs given; a key given
alone is described, not judged), 2 usage or unreadable input, 4 the output
could not be written.
`

// maxInspectFile caps one input file.
const maxInspectFile = 16 << 20

// inspectResult is the JSON output.
type inspectResult = inspect.Result

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
	var in inspect.Input
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
	res := inspect.Inspect(in, files, env)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			errorf(stderr, "writing: %v", err)
			return exitWrite
		}
	} else if err := writeInspectText(stdout, res); err != nil {
		errorf(stderr, "writing: %v", err)
		return exitWrite
	}
	for _, f := range res.Findings {
		if f.Status == checks.StatusFail && (f.Severity == checks.SeverityHigh || f.Severity == checks.SeverityCritical) {
			return exitPolicy
		}
	}
	return exitOK
}

// readInspectFile classifies the PEM blocks (or the DER content) of one file.
func readInspectFile(name string, in *inspect.Input) error {
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
	return in.Add(name, data)
}

// writeInspectText writes res for people; the error is the first failed
// write.
func writeInspectText(w io.Writer, res inspectResult) error {
	ew := &errWriter{w: w}
	writeInspectTextTo(ew, termsafe.Clone(res)) // subjects, SANs and file names reach the terminal
	return ew.err
}

// errWriter keeps the first write error (and writes nothing after it).
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func writeInspectTextTo(w io.Writer, res inspectResult) {
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
		} else if res.Analysis != nil && len(res.Analysis.Chains) > 0 || len(res.CSRs) > 0 {
			fmt.Fprintf(w, "Key %s (%s) matches nothing given\n", k.File, k.Type)
		} else {
			fmt.Fprintf(w, "Key %s (%s): no certificate or CSR given to match it against\n", k.File, k.Type)
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
