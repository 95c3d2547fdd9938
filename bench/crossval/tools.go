package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// run runs a tool with a deadline and keeps its output in dir/file.
func run(dir, file string, timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	_ = os.WriteFile(filepath.Join(dir, file), out, 0o644)
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// tlsauditVerdicts maps verdictNames to tlsaudit check IDs.
var tlsauditVerdicts = map[string]string{
	"heartbleed": "vuln.heartbleed", "ccs_injection": "vuln.ccs_injection", "ticketbleed": "vuln.ticketbleed",
	"robot": "vuln.robot", "insecure_renegotiation": "vuln.insecure_renegotiation",
	"client_renegotiation": "vuln.client_renegotiation", "compression": "vuln.crime",
	"no_fallback_scsv": "vuln.no_fallback_scsv", "poodle_sslv3": "vuln.poodle_sslv3",
	"sweet32": "cipher.des_64bit_block", "freak": "vuln.freak", "drown": "vuln.drown",
	"logjam": "vuln.logjam", "rc4": "cipher.rc4", "beast": "cipher.cbc_tls10", "chain_incomplete": "cert.chain_incomplete",
}

type report struct {
	Observation *obs.Observation `json:"observation"`
	Findings    []struct {
		CheckID string `json:"check_id"`
		Status  string `json:"status"`
	} `json:"findings"`
}

func runTLSAudit(bin, dir string, t target) *facts {
	f := newFacts("tlsaudit")
	out, err := run(dir, "tlsaudit.json", 5*time.Minute, bin, "--json", "--sni", t.SNI, "--timeout", "180s", t.Addr)
	if err != nil {
		f.err = err.Error()
		return f
	}
	var rs []report
	if err := json.Unmarshal(out, &rs); err != nil || len(rs) != 1 || rs[0].Observation == nil {
		f.err = fmt.Sprintf("unreadable JSON report: %v", err)
		return f
	}
	o := rs[0].Observation
	if o.Status != obs.StatusOK {
		f.err = fmt.Sprintf("status %s: %s", o.Status, o.Error)
		return f
	}
	for _, p := range o.Protocols {
		if p.Error != "" && !p.Supported {
			continue // inconclusive
		}
		f.protocols[p.Name] = p.Supported
		for _, s := range p.Suites {
			if p.Version == registry.VersionSSL2 {
				f.addSuite(p.Name, uint16(s.ID24))
				continue
			}
			f.addSuite(p.Name, s.ID)
		}
		if p.ServerOrder != nil {
			f.serverOrder[p.Name] = *p.ServerOrder
			if *p.ServerOrder {
				f.preference[p.Name] = slices.Clone(f.suites[p.Name])
			}
		}
	}
	if o.Groups != nil {
		f.groups12, f.groups13 = []uint16{}, []uint16{}
		for _, g := range o.Groups.TLS12 {
			addUnique(&f.groups12, g.ID)
		}
		for _, g := range o.Groups.TLS13 {
			addUnique(&f.groups13, g.ID)
		}
	}
	if len(o.Chains) > 0 && len(o.Chains[0].Certificates) > 0 {
		c := o.Chains[0].Certificates[0]
		f.leaf = leafID(cnOf(c.Subject), c.NotAfter)
	}
	f.dhBits = []int{}
	for _, d := range o.DH {
		addUnique(&f.dhBits, d.Bits)
	}
	for _, fd := range rs[0].Findings {
		for v, id := range tlsauditVerdicts {
			if fd.CheckID != id {
				continue
			}
			switch fd.Status {
			case "fail":
				f.verdicts[v] = true
			case "pass", "not_applicable":
				if _, set := f.verdicts[v]; !set {
					f.verdicts[v] = false
				}
			}
		}
	}
	return f
}

// sslscan's XML (2.0.x).
type sslscanDoc struct {
	Tests []struct {
		Protocols []struct {
			Type    string `xml:"type,attr"`
			Version string `xml:"version,attr"`
			Enabled string `xml:"enabled,attr"`
		} `xml:"protocol"`
		Reneg *struct {
			Supported string `xml:"supported,attr"`
			Secure    string `xml:"secure,attr"`
		} `xml:"renegotiation"`
		Compression *struct {
			Supported string `xml:"supported,attr"`
		} `xml:"compression"`
		Heartbleed []struct {
			Vulnerable string `xml:"vulnerable,attr"`
		} `xml:"heartbleed"`
		Ciphers []struct {
			Status   string `xml:"status,attr"`
			Version  string `xml:"sslversion,attr"`
			ID       string `xml:"id,attr"`
			Name     string `xml:"cipher,attr"`
			DHEBits  string `xml:"dhebits,attr"`
			Strength string `xml:"strength,attr"`
		} `xml:"cipher"`
		Groups []struct {
			Version string `xml:"sslversion,attr"`
			ID      string `xml:"id,attr"`
		} `xml:"group"`
		Certs []struct {
			Subject  string `xml:"subject"`
			NotAfter string `xml:"not-valid-after"`
		} `xml:"certificates>certificate"`
	} `xml:"ssltest"`
}

func sslscanProto(typ, version string) string {
	if typ == "ssl" {
		return "SSLv" + version
	}
	if version == "1.0" {
		return "TLSv1.0"
	}
	return "TLSv" + version
}

func runSSLScan(dir string, t target) *facts {
	f := newFacts("sslscan")
	xmlFile := filepath.Join(dir, "sslscan.xml")
	text, err := run(dir, "sslscan.txt", 4*time.Minute, "sslscan", "--no-colour", "--xml="+xmlFile, "--sni-name="+t.SNI, t.Addr)
	if err != nil {
		f.err = err.Error()
		return f
	}
	b, err := os.ReadFile(xmlFile)
	if err != nil {
		f.err = err.Error()
		return f
	}
	var doc sslscanDoc
	if err := xml.Unmarshal(b, &doc); err != nil || len(doc.Tests) == 0 {
		f.err = fmt.Sprintf("unreadable XML: %v", err)
		return f
	}
	st := doc.Tests[0]
	for _, p := range st.Protocols {
		f.protocols[sslscanProto(p.Type, p.Version)] = p.Enabled == "1"
	}
	for _, c := range st.Ciphers {
		id, err := strconv.ParseUint(strings.TrimPrefix(c.ID, "0x"), 16, 16)
		if err != nil {
			continue
		}
		p := c.Version
		if p == "TLSv1.0" || p == "TLSv1" {
			p = "TLSv1.0"
		}
		f.addSuite(p, uint16(id))
		if c.Status == "preferred" {
			f.preference[p] = []uint16{uint16(id)}
		}
		if n, err := strconv.Atoi(c.DHEBits); err == nil {
			addUnique(&f.dhBits, n)
		}
	}
	if f.dhBits == nil {
		f.dhBits = []int{}
	}
	f.groups12, f.groups13 = []uint16{}, []uint16{}
	for _, g := range st.Groups {
		id, err := strconv.ParseUint(strings.TrimPrefix(g.ID, "0x"), 16, 16)
		if err != nil {
			continue
		}
		if g.Version == "TLSv1.3" {
			addUnique(&f.groups13, uint16(id))
		} else if uint16(id) < 0x100 || uint16(id) > 0x1ff { // FFDHE groups are not ECDHE curves
			addUnique(&f.groups12, uint16(id))
		}
	}
	if len(st.Certs) > 0 {
		if t, err := time.Parse("Jan _2 15:04:05 2006 MST", strings.TrimSpace(st.Certs[0].NotAfter)); err == nil {
			f.leaf = leafID(strings.TrimSpace(st.Certs[0].Subject), t)
		}
	}
	if len(st.Heartbleed) > 0 {
		f.verdicts["heartbleed"] = false
		for _, h := range st.Heartbleed {
			if h.Vulnerable == "1" {
				f.verdicts["heartbleed"] = true
			}
		}
	}
	if r := st.Reneg; r != nil {
		f.verdicts["insecure_renegotiation"] = r.Supported == "1" && r.Secure != "1"
	}
	if c := st.Compression; c != nil {
		f.verdicts["compression"] = c.Supported == "1"
	}
	switch s := string(text); {
	case strings.Contains(s, "Server does not support TLS Fallback SCSV"):
		f.verdicts["no_fallback_scsv"] = true
	case strings.Contains(s, "Server supports TLS Fallback SCSV"):
		f.verdicts["no_fallback_scsv"] = false
	}
	return f
}

// nmap's XML: ssl-enum-ciphers tables.
type nmapTable struct {
	Key    string      `xml:"key,attr"`
	Tables []nmapTable `xml:"table"`
	Elems  []struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	} `xml:"elem"`
}

func (t nmapTable) elem(key string) string {
	for _, e := range t.Elems {
		if e.Key == key {
			return e.Value
		}
	}
	return ""
}

func (t nmapTable) table(key string) (nmapTable, bool) {
	for _, x := range t.Tables {
		if x.Key == key {
			return x, true
		}
	}
	return nmapTable{}, false
}

var nmapDH = regexp.MustCompile(`^dh (\d+)`)

func runNmap(dir string, t target) *facts {
	f := newFacts("nmap")
	out, err := run(dir, "nmap.xml", 5*time.Minute, "nmap", "-Pn", "-n", "-p", strconv.Itoa(t.Port),
		"--script", "ssl-enum-ciphers", "--script-args", "tls.servername="+t.SNI, "-oX", "-", "127.0.0.1")
	if err != nil {
		f.err = err.Error()
		return f
	}
	var doc struct {
		Scripts []struct {
			ID     string      `xml:"id,attr"`
			Tables []nmapTable `xml:"table"`
		} `xml:"host>ports>port>script"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		f.err = fmt.Sprintf("unreadable XML: %v", err)
		return f
	}
	f.dhBits = []int{}
	for _, p := range protoNames[1:] {
		f.protocols[p] = false
	}
	for _, s := range doc.Scripts {
		if s.ID != "ssl-enum-ciphers" {
			continue
		}
		for _, pt := range s.Tables {
			p := pt.Key
			if p == "TLSv1.0" {
				p = "TLSv1.0"
			}
			f.protocols[p] = true
			if cs, ok := pt.table("ciphers"); ok {
				for _, c := range cs.Tables {
					if id, ok := suiteIDByName(c.elem("name")); ok {
						f.addSuite(p, id)
					}
					if m := nmapDH.FindStringSubmatch(c.elem("kex_info")); m != nil {
						n, _ := strconv.Atoi(m[1])
						addUnique(&f.dhBits, n)
					}
				}
			}
			switch pt.elem("cipher preference") {
			case "server":
				f.serverOrder[p] = true
				f.preference[p] = slices.Clone(f.suites[p])
			case "client":
				f.serverOrder[p] = false
			}
			if cm, ok := pt.table("compressors"); ok {
				for _, e := range cm.Elems {
					if e.Value == "DEFLATE" {
						f.verdicts["compression"] = true
					}
				}
				if _, set := f.verdicts["compression"]; !set {
					f.verdicts["compression"] = false
				}
			}
		}
	}
	// No output: nmap found no SSLv3-TLS 1.3 handshake (it does not test
	// SSLv2), so every protocol stays false.
	_ = doc
	return f
}

// leafID identifies a leaf certificate across tools: common name and expiry day.
func leafID(cn string, notAfter time.Time) string {
	return cn + " " + notAfter.UTC().Format("2006-01-02")
}

// cnOf extracts the CN from a distinguished name string ("CN=x, O=y").
func cnOf(dn string) string {
	for _, part := range strings.Split(dn, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "CN="); ok {
			return v
		}
	}
	return dn
}
