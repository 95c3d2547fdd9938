package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// testsslVerdicts maps testssl.sh JSON ids to verdictNames.
var testsslVerdicts = map[string]string{
	"heartbleed": "heartbleed", "CCS": "ccs_injection", "ticketbleed": "ticketbleed", "ROBOT": "robot",
	"secure_renego": "insecure_renegotiation", "secure_client_renego": "client_renegotiation",
	"CRIME_TLS": "compression", "fallback_SCSV": "no_fallback_scsv", "POODLE_SSL": "poodle_sslv3",
	"SWEET32": "sweet32", "FREAK": "freak", "DROWN": "drown", "LOGJAM": "logjam", "RC4": "rc4", "BEAST": "beast",
}

var (
	testsslProto = map[string]string{"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1", "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
	testsslBits  = regexp.MustCompile(`(\d+) bits`)
)

// readTestssl reads the --jsonfile output of one testssl.sh run; nil when
// there is none (not run, or still running).
func readTestssl(file string) *facts {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var items []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Finding  string `json:"finding"`
	}
	f := newFacts("testssl")
	if err := json.Unmarshal(b, &items); err != nil {
		f.err = "unreadable JSON (testssl.sh still running?)"
		return f
	}
	if len(items) == 0 {
		return nil
	}
	order := map[string]bool{}
	globalOrder := ""
	for _, it := range items {
		switch {
		case testsslProto[it.ID] != "":
			fnd := strings.ToLower(it.Finding)
			switch {
			case strings.HasPrefix(fnd, "not offered"):
				f.protocols[testsslProto[it.ID]] = false
			case strings.HasPrefix(fnd, "offered"):
				f.protocols[testsslProto[it.ID]] = true
			}
		case strings.HasPrefix(it.ID, "cipher-") || strings.HasPrefix(it.ID, "cipher_x"):
			// "TLSv1.2   xc02f   ECDHE-RSA-AES128-GCM-SHA256  ECDH 253  AESGCM  128  TLS_ECDHE_..."
			fs := strings.Fields(it.Finding)
			if len(fs) < 2 || strings.Contains(it.Finding, "not offered") {
				continue
			}
			p := fs[0]
			if p == "TLSv1" {
				p = "TLSv1.0"
			}
			id, err := strconv.ParseUint(strings.TrimPrefix(fs[1], "x"), 16, 32)
			if err != nil {
				continue
			}
			if p == "SSLv2" {
				f.addSuite(p, uint16(id))
			} else if id <= 0xffff {
				f.addSuite(p, uint16(id))
			}
			if m := testsslDHBits(it.Finding); m > 0 {
				addUnique(&f.dhBits, m)
			}
		case it.ID == "cipher_order":
			globalOrder = it.Finding
		case strings.HasPrefix(it.ID, "cipher_order-") || strings.HasPrefix(it.ID, "cipher_order_"):
			p := it.ID[len("cipher_order-"):]
			p = strings.NewReplacer("tls1_3", "TLSv1.3", "tls1_2", "TLSv1.2", "tls1_1", "TLSv1.1", "tls1", "TLSv1.0", "ssl3", "SSLv3").Replace(p)
			order[p] = strings.Contains(strings.ToLower(it.Finding), "server")
		case it.ID == "FS_ECDHE_curves":
			f.ecCurves = []uint16{}
			for _, n := range strings.Fields(it.Finding) {
				if id, ok := groupIDByName(n); ok {
					addUnique(&f.ecCurves, id)
				}
			}
		case it.ID == "DH_groups":
			if m := testsslBits.FindStringSubmatch(it.Finding); m != nil {
				n, _ := strconv.Atoi(m[1])
				addUnique(&f.dhBits, n)
			}
		}
		if v, ok := testsslVerdicts[it.ID]; ok {
			switch it.Severity {
			case "OK", "INFO":
				f.verdicts[v] = false
			case "LOW", "MEDIUM", "HIGH", "CRITICAL":
				f.verdicts[v] = true
			}
		}
	}
	for p, ok := range order {
		f.serverOrder[p] = ok
	}
	if len(order) == 0 && globalOrder != "" {
		for p, sup := range f.protocols {
			if sup && len(f.suites[p]) > 1 {
				f.serverOrder[p] = strings.Contains(strings.ToLower(globalOrder), "server")
			}
		}
	}
	return f
}

// testsslDHBits reads "DH 1024" from a cipher line.
func testsslDHBits(finding string) int {
	fs := strings.Fields(finding)
	for i := 0; i+1 < len(fs); i++ {
		if fs[i] == "DH" {
			if n, err := strconv.Atoi(fs[i+1]); err == nil {
				return n
			}
		}
	}
	return 0
}
