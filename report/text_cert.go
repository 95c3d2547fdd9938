package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// certificates renders the certificate section from the analysis carried in
// the report (Report.Certificates): per served chain a table, one trust line
// per store, the chain-quality problems and the leaf facts. Without an
// analysis it falls back to the plain chain tables of the observation.
func (t *textRenderer) certificates() {
	a := t.r.Certificates
	if a == nil || len(a.Chains) == 0 {
		t.chains()
		return
	}
	for i := range a.Chains {
		t.certChain(i, &a.Chains[i], a.Hostname)
	}
	t.certDNS(a)
}

func (t *textRenderer) certChain(i int, ch *certanalysis.ChainAnalysis, host string) {
	title := fmt.Sprintf("Certificate chain %d (%s, %s key, %s served)", i+1, ch.Protocol, ch.KeyType,
		plural(len(ch.Certificates), "certificate"))
	t.section(title)
	var rows [][]string
	for _, c := range ch.Certificates {
		// Subject and issuer share a column, one above the other, wrapped
		// between RDNs only, so that the table fits 100 columns and every
		// RDN stays whole.
		// (The leaf's SHA-256 fingerprint is a field below, in full; every
		// fingerprint is in the JSON report.)
		rows = append(rows, []string{strconv.Itoa(c.Index), "", certKeyText(c.Key), c.SigAlg,
			t.expiry(obs.Certificate{NotBefore: c.NotBefore, NotAfter: c.NotAfter})})
	}
	header := []string{"#", "Subject / issuer", "Key", "Signature", "Expires"}
	// The names column is at least as wide as the longest RDN, so that
	// none is cut: to make room, the expiry and then the key cells break
	// after their first word ("2030-01-01" above "(1674 days)").
	need := 0
	for _, c := range ch.Certificates {
		need = max(need, longestRDN(certSummaryName(c.Subject, c)), longestRDN("issuer: "+certSummaryName(c.Issuer, c)))
	}
	width := namesWidth(t.st.columns(), header, rows, 1)
	for _, col := range []int{4, 2} {
		if width >= need {
			break
		}
		for j := range rows {
			rows[j][col] = breakFirstWord(rows[j][col])
		}
		width = namesWidth(t.st.columns(), header, rows, 1)
	}
	width = max(width, need)
	for j, c := range ch.Certificates {
		rows[j][1] = wrapDN(certSummaryName(c.Subject, c), width) + "\n" + wrapDN("issuer: "+certSummaryName(c.Issuer, c), width)
	}
	t.tableMin(header, rows, map[string]int{header[1]: width})
	j := 0
	// Without --verbose the informational stores the user did not name
	// (the system store, the platform snapshots) fold into one line per
	// verdict; a store the user named keeps its line.
	var trusted, untrusted []string
	for _, st := range ch.Trust {
		if st.Informational && !st.NamedByUser() && !t.st.Verbose {
			if st.Trusted {
				trusted = append(trusted, oneLine(st.Store))
			} else {
				untrusted = append(untrusted, oneLine(st.Store))
			}
			continue
		}
		// wrapped under the verdict, right of the store's name
		t.fieldHang(label(j, "Trust"), t.trustLine(st, ch.PrivatePKI), trustNameWidth)
		j++
	}
	for _, g := range []struct {
		stores  []string
		verdict string
	}{{trusted, "trusted"}, {untrusted, "untrusted"}} {
		if len(g.stores) > 0 {
			t.field(label(j, "Trust"), strings.Join(g.stores, ", ")+": "+g.verdict+" (informational stores; --verbose shows each path or reason)")
			j++
		}
	}
	for j, p := range chainProblems(ch) {
		t.field(label(j, "Chain"), t.st.paint(sgrYellow, p))
	}
	if len(chainProblems(ch)) == 0 {
		t.field("Chain", "complete and in order")
	}
	for j, f := range ch.Fetched {
		s := "fetched " + oneLine(f.Subject) + " from " + f.URL
		if f.Error != "" {
			s = "fetch from " + f.URL + " failed: " + oneLine(f.Error)
		}
		t.field(label(j, "AIA"), s)
	}
	if lf := ch.Leaf; lf != nil {
		t.leafFacts(lf, host, ch)
	}
	for j, r := range ch.Revocation {
		t.field(label(j, "Revocation"), t.revocationLine(r))
	}
}

// trustNameWidth is the width of a trust line's store name and its space.
const trustNameWidth = 9

// trustLine is "mozilla  trusted via 2 paths" or "mozilla  untrusted: reason".
// On a private PKI (trusted only through --ca-file) a public store's
// "untrusted" is expected: shown, not in red.
func (t *textRenderer) trustLine(st certanalysis.StoreTrust, private bool) string {
	name := fmt.Sprintf("%-*s ", trustNameWidth-1, oneLine(st.Store))
	if !st.Trusted {
		if private {
			return name + "untrusted (expected: private PKI trusted via --ca-file): " + oneLine(st.Reason) + storeNote(st)
		}
		return name + t.st.paint(sgrRed, "untrusted: "+oneLine(st.Reason)) + storeNote(st)
	}
	n := 0
	var best []string
	for _, p := range st.Paths {
		if !p.Trusted {
			continue
		}
		n++
		if best == nil {
			for _, c := range p.Certs {
				best = append(best, pathCertText(c))
			}
		}
	}
	s := name + t.st.paint(sgrGreen, "trusted via "+plural(n, "path"))
	if st.Reason != "" {
		s += " (" + oneLine(st.Reason) + ")"
	}
	if len(best) > 0 {
		s += ": " + strings.Join(best, " > ")
	}
	return s + storeNote(st)
}

// storeNote is how old a store is and whether it decides the grade:
// " [newest root 2024-05-15, 936 days old; informational]".
func storeNote(st certanalysis.StoreTrust) string {
	var parts []string
	if pv := st.Provenance; pv != nil && !pv.Date.IsZero() {
		what := "newest root"
		if pv.DateSource == "file_mtime" {
			what = "file of"
		}
		s := fmt.Sprintf("%s %s, %d days old", what, pv.Date.UTC().Format("2006-01-02"), pv.AgeDays)
		if pv.Origin == "platform" {
			s = fmt.Sprintf("a snapshot of %s (%d days old), %s", pv.FileModified.UTC().Format("2006-01-02"), pv.FileAgeDays, s)
		}
		parts = append(parts, s)
	}
	if st.Informational {
		parts = append(parts, "informational")
	}
	if len(parts) == 0 {
		return ""
	}
	return " [" + strings.Join(parts, "; ") + "]"
}

func pathCertText(c certanalysis.PathCert) string {
	switch {
	case c.Index >= 0:
		return "#" + strconv.Itoa(c.Index)
	case c.Source == "store":
		return "root " + oneLine(c.Subject)
	}
	return c.Source + " " + oneLine(c.Subject)
}

// chainProblems lists what is wrong with the chain as served.
func chainProblems(ch *certanalysis.ChainAnalysis) []string {
	q := ch.Quality
	var out []string
	if q.Incomplete {
		s := "incomplete: the issuer " + strconv.Quote(oneLine(q.MissingIssuer)) + " is not served"
		if q.CompletedByAIA {
			s += " (completed with the certificate fetched via AIA)"
		}
		out = append(out, s)
	}
	if q.UnknownRoot {
		out = append(out, "complete up to an unknown root: the issuer "+strconv.Quote(oneLine(q.UnknownIssuer))+" is not in any store")
	}
	if q.WrongOrder {
		out = append(out, "wrong order: certificates are not each followed by their issuer")
	}
	list := func(what string, idx []int) {
		if len(idx) == 0 {
			return
		}
		var parts []string
		for _, i := range idx {
			if i >= 0 && i < len(ch.Certificates) {
				parts = append(parts, "#"+strconv.Itoa(i)+" "+oneLine(ch.Certificates[i].Subject))
			}
		}
		out = append(out, what+": "+strings.Join(parts, "; "))
	}
	list("extra certificates", q.Extra)
	list("root sent", q.RootSent)
	list("duplicates", q.Duplicates)
	return out
}

func (t *textRenderer) leafFacts(lf *certanalysis.LeafFacts, host string, ch *certanalysis.ChainAnalysis) {
	names := append(prefixed("DNS:", lf.DNSNames), prefixed("IP:", lf.IPs)...)
	switch {
	case host == "":
		t.field("Host name", "not checked (no host name)")
	case lf.HostnameMatch:
		t.field("Host name", t.st.paint(sgrGreen, host+" matches "+lf.MatchedName))
	case lf.CNOnly:
		t.field("Host name", t.st.paint(sgrRed, host+" does not match: no subjectAltName (CN "+strconv.Quote(lf.CN)+" is not used)"))
	default:
		t.field("Host name", t.st.paint(sgrRed, host+" does not match "+strings.Join(names, ", ")))
	}
	var validity string
	switch {
	case lf.Expired:
		validity = t.st.paint(sgrRed, fmt.Sprintf("expired %d days ago", -lf.DaysLeft))
	case lf.NotYetValid:
		validity = t.st.paint(sgrRed, "not yet valid")
	case lf.ExpiresSoon:
		validity = t.st.paint(sgrYellow, fmt.Sprintf("%d days left", lf.DaysLeft))
	default:
		validity = fmt.Sprintf("%d days left", lf.DaysLeft)
	}
	validity += fmt.Sprintf(", validity period %d days", lf.ValidityDays)
	if lf.MaxValidityDays > 0 && lf.ValidityDays > lf.MaxValidityDays {
		validity += fmt.Sprintf(" (over the %d-day maximum)", lf.MaxValidityDays)
	}
	t.field("Validity", validity)
	kind := lf.Validation
	if kind == "" {
		kind = "unknown"
	}
	t.field("Validation", kind+", must-staple "+yesNo(lf.MustStaple))
	if len(ch.Certificates) > 0 {
		t.field("SHA-256", ch.Certificates[0].SHA256)
		t.field("Pin", "pin-sha256="+strconv.Quote(ch.Certificates[0].SPKIPin))
	}
	t.field("OCSP staple", t.stapleLine(ch.Staple, lf.MustStaple))
	t.field("SCTs", sctLine(ch.SCTs))
}

func prefixed(prefix string, s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		out = append(out, prefix+v)
	}
	return out
}

func (t *textRenderer) stapleLine(s *certanalysis.StapleInfo, mustStaple bool) string {
	if s == nil {
		if mustStaple {
			return t.st.paint(sgrRed, "none (the certificate requires one)")
		}
		return "none"
	}
	line := s.Status
	if s.Status == "good" {
		line = t.st.paint(sgrGreen, line)
	} else {
		line = t.st.paint(sgrRed, line)
	}
	var parts []string
	if !s.ThisUpdate.IsZero() {
		parts = append(parts, "this update "+s.ThisUpdate.UTC().Format(time.DateOnly))
	}
	if !s.NextUpdate.IsZero() {
		parts = append(parts, "next update "+s.NextUpdate.UTC().Format(time.DateOnly))
	}
	if !s.RevokedAt.IsZero() {
		parts = append(parts, "revoked at "+s.RevokedAt.UTC().Format(time.DateOnly))
	}
	if s.SignatureValid != nil {
		parts = append(parts, "signature "+map[bool]string{true: "valid", false: "INVALID"}[*s.SignatureValid])
	}
	if s.Expired {
		parts = append(parts, "expired")
	}
	if !s.SerialMatch {
		parts = append(parts, "for another certificate")
	}
	if s.Error != "" {
		parts = append(parts, oneLine(s.Error))
	}
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	return line
}

// sctLine counts SCTs by source: "3 (certificate 2, tls_extension 1)".
func sctLine(scts []certanalysis.SCTInfo) string {
	if len(scts) == 0 {
		return "none"
	}
	var order []string
	count := map[string]int{}
	for _, s := range scts {
		if count[s.Source] == 0 {
			order = append(order, s.Source)
		}
		count[s.Source]++
	}
	var parts []string
	for _, src := range order {
		parts = append(parts, fmt.Sprintf("%s %d", src, count[src]))
	}
	return fmt.Sprintf("%d (%s)", len(scts), strings.Join(parts, ", "))
}

func (t *textRenderer) revocationLine(r obs.RevocationCheck) string {
	s := r.Method + " " + r.Status
	switch r.Status {
	case "good":
		s = t.st.paint(sgrGreen, s)
	case "revoked", "error":
		s = t.st.paint(sgrRed, s)
	}
	if r.URL != "" {
		s += " from " + r.URL
	}
	if !r.RevokedAt.IsZero() {
		s += ", revoked at " + r.RevokedAt.UTC().Format(time.DateOnly)
	}
	if r.Error != "" {
		s += ": " + oneLine(r.Error)
	}
	return s
}

func (t *textRenderer) certDNS(a *certanalysis.Analysis) {
	d := t.o.DNS
	if d == nil {
		return
	}
	t.section("DNS (resolver " + d.Resolver + ")")
	switch {
	case d.CAAError != "":
		t.field("CAA", "lookup failed: "+oneLine(d.CAAError))
	case len(d.CAA) == 0:
		t.field("CAA", "none (any CA may issue)")
	default:
		var recs []string
		for _, r := range d.CAA {
			recs = append(recs, fmt.Sprintf("%d %s %q", r.Flag, r.Tag, r.Value))
		}
		t.field("CAA", "at "+d.CAAName+": "+strings.Join(recs, "; "))
	}
	if c := a.CAA; c != nil && c.Permits != nil {
		verdict := "permits"
		if !*c.Permits {
			verdict = t.st.paint(sgrRed, "does not permit")
		}
		t.field("", "the record set "+verdict+" the issuer "+oneLine(c.Issuer))
	}
	switch {
	case d.TLSAError != "":
		t.field("TLSA", "lookup failed: "+oneLine(d.TLSAError))
	case len(d.TLSA) == 0:
		t.field("TLSA", "none at "+d.TLSAName)
	default:
		t.field("TLSA", fmt.Sprintf("%s at %s (DNSSEC-authenticated %s)", plural(len(d.TLSA), "record"), d.TLSAName, yesNo(d.Authenticated)))
	}
	if d := a.DANE; d != nil && d.Records > 0 {
		if d.Matched {
			t.field("", t.st.paint(sgrGreen, "the chain matches "+d.MatchedRecord))
		} else {
			t.field("", t.st.paint(sgrRed, "no TLSA record matches the chain"))
		}
	}
}

func certSummaryName(name string, c certanalysis.CertSummary) string {
	if c.ParseError != "" && name == "" {
		return "(unparsable: " + oneLine(c.ParseError) + ")"
	}
	return oneLine(name)
}

func certKeyText(k certanalysis.KeyInfo) string {
	switch {
	case k.Curve != "":
		return k.Type + " " + k.Curve
	case k.Bits > 0:
		return k.Type + " " + strconv.Itoa(k.Bits)
	}
	return k.Type
}

// fingerprintPrefix is the first 16 hex digits of a fingerprint.
func fingerprintPrefix(fp string) string {
	if len(fp) > 16 {
		return fp[:16] + "…"
	}
	return fp
}

// namesWidth is the room a table width columns wide leaves column col when
// its other columns keep their natural width (at least minFlexWidth).
func namesWidth(avail int, header []string, rows [][]string, col int) int {
	for c, h := range header {
		avail -= 2
		if c == col {
			continue
		}
		w := cellWidth(h)
		for _, r := range rows {
			w = max(w, cellWidth(r[c]))
		}
		avail -= w
	}
	return max(avail, minFlexWidth)
}

// breakFirstWord puts what follows a cell's first word on a line of its
// own, keeping the cell's colour on both.
func breakFirstWord(cell string) string {
	first, rest, ok := strings.Cut(ansiSeq.ReplaceAllString(cell, ""), " ")
	if !ok {
		return cell
	}
	return wrapCell(cell, max(utf8.RuneCountInString(first), utf8.RuneCountInString(rest)))
}

// longestRDN is the width of the widest RDN of dn, as wrapDN splits it.
func longestRDN(dn string) int {
	w := 0
	for _, rdn := range strings.SplitAfter(dn, ", ") {
		w = max(w, utf8.RuneCountInString(strings.TrimRight(rdn, " ")))
	}
	return w
}

// wrapDN breaks a distinguished name into lines of at most width characters
// between its RDNs (after ", "), never inside one; an RDN longer than width
// has a line of its own.
func wrapDN(dn string, width int) string {
	var lines []string
	line := ""
	for _, rdn := range strings.SplitAfter(dn, ", ") {
		if line != "" && utf8.RuneCountInString(line+strings.TrimRight(rdn, " ")) > width {
			lines = append(lines, strings.TrimRight(line, " "))
			line = ""
		}
		line += rdn
	}
	return strings.Join(append(lines, line), "\n")
}
