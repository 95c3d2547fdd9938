package report

import (
	"strconv"
	"strings"
)

// Readable names for the text report: the HTTP and probe sections are
// built from flattened JSON members ("attempt.status", "tests[1].name");
// the text shows them as words ("Probe", "tests #2 name"), while JSON,
// CSV and HTML keep the member names.

// acronyms are the name parts written in capitals.
var acronyms = map[string]string{
	"tls": "TLS", "url": "URL", "alpn": "ALPN", "http": "HTTP", "https": "HTTPS", "id": "ID",
	"sni": "SNI", "dh": "DH", "ocsp": "OCSP", "rsa": "RSA", "cbc": "CBC", "ccs": "CCS",
	"scsv": "SCSV", "mac": "MAC", "sct": "SCT", "hsts": "HSTS", "ip": "IP", "dns": "DNS",
}

// httpLabels name the HTTP response members whose generic reading would
// mislead.
var httpLabels = map[string]string{
	"attempt.status":      "Probe",
	"attempt.reason":      "Reason",
	"attempt.connections": "Connections",
	"proto":               "HTTP version",
}

// readableName turns a flattened JSON member name into words:
// "tls_version" → "TLS version", "attempts[0].echoed_id_length" →
// "attempts #1 echoed ID length".
func readableName(name string) string {
	var words []string
	for _, part := range strings.Split(name, ".") {
		base, idx, indexed := strings.Cut(part, "[")
		for _, w := range strings.Split(base, "_") {
			if a, ok := acronyms[w]; ok {
				w = a
			}
			if w != "" {
				words = append(words, w)
			}
		}
		if indexed {
			n, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err == nil {
				words = append(words, "#"+strconv.Itoa(n+1))
			}
		}
	}
	return strings.Join(words, " ")
}

// readableLabel is readableName with a capital first letter, for a label
// column.
func readableLabel(name string) string {
	if l, ok := httpLabels[name]; ok {
		return l
	}
	s := readableName(name)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// plainLabel labels a member of the plain-HTTP (port 80) result.
func plainLabel(name string) string {
	if l, ok := httpLabels[name]; ok {
		return "Plain HTTP " + strings.ToLower(l)
	}
	return "Plain HTTP " + readableName(name)
}

// readableValue shows JSON booleans as yes/no.
func readableValue(v string) string {
	switch v {
	case "true":
		return "yes"
	case "false":
		return "no"
	}
	return v
}

// readableStatus shows an attempt status ("not_applicable") as words.
func readableStatus(s string) string {
	return strings.ReplaceAll(s, "_", " ")
}

// evidenceText renders a probe's fields as "name value" pairs, one
// paragraph per line (tableFit wraps them): the plain members first, then one paragraph per element of a
// list of objects, headed by its name member when it has one
// ("long_hello_300: accepted yes", "attempts #2: resumed yes").
func evidenceText(fields []field) string {
	var paras []string
	var cur []string
	curElem, curName := "", ""
	flush := func() {
		if len(cur) == 0 {
			return
		}
		text := strings.Join(cur, ", ")
		switch {
		case curName != "":
			text = curName + ": " + text
		case curElem != "":
			text = readableName(curElem) + ": " + text
		}
		paras = append(paras, text)
		cur = nil
	}
	for _, f := range fields {
		elem, rest := "", f.Name
		if i := strings.Index(f.Name, "]."); i >= 0 {
			elem, rest = f.Name[:i+1], f.Name[i+2:]
		}
		if elem != curElem {
			flush()
			curElem, curName = elem, ""
		}
		if elem != "" && rest == "name" && len(cur) == 0 {
			curName = f.Value // the element is known by its name
			continue
		}
		cur = append(cur, readableName(rest)+" "+readableValue(f.Value))
	}
	flush()
	return strings.Join(paras, "\n")
}

// TextDetail is a finding's detail as text output shows it, for text
// written outside this package (tlsaudit inspect): one line, server
// control bytes replaced, cut after maxDetail bytes with a count of what
// is left out, and wrapped at width with indent before each further line.
func TextDetail(detail string, width int, indent string) string {
	s := shorten(oneLine(detail), maxDetail)
	return strings.ReplaceAll(wrap(s, width), "\n", "\n"+indent)
}
