package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// testsslVerdicts maps testssl.sh JSON ids to verdictNames.
var testsslVerdicts = map[string]string{
	"heartbleed": "heartbleed", "CCS": "ccs_injection", "ticketbleed": "ticketbleed", "ROBOT": "robot",
	"secure_renego": "insecure_renegotiation", "secure_client_renego": "client_renegotiation",
	"CRIME_TLS": "compression", "fallback_SCSV": "no_fallback_scsv", "POODLE_SSL": "poodle_sslv3",
	"SWEET32": "sweet32", "FREAK": "freak", "DROWN": "drown", "LOGJAM": "logjam", "LOGJAM-common_primes": "logjam",
	"RC4": "rc4", "BEAST": "beast",
}

var (
	testsslProto       = map[string]string{"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLSv1": "TLSv1.0", "TLSv1_1": "TLSv1.1", "TLSv1_2": "TLSv1.2", "TLSv1_3": "TLSv1.3", "TLS1_1": "TLSv1.1", "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
	testsslCipherProto = map[string]string{"ssl2": "SSLv2", "ssl3": "SSLv3", "tls1": "TLSv1.0", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}
	testsslBits        = regexp.MustCompile(`(\d+) bits`)
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
	cn, notAfter := "", ""
	var dhGroups []int
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
		case strings.HasPrefix(it.ID, "cipher-"):
			// id "cipher-tls1_2_xc02f", finding "TLS 1.2  xc02f  ECDHE-RSA-AES128-GCM-SHA256  ECDH 253 ..."
			i := strings.LastIndex(it.ID, "_x")
			if i < 0 || strings.Contains(it.Finding, "not offered") {
				continue
			}
			p := testsslCipherProto[it.ID[len("cipher-"):i]]
			id, err := strconv.ParseUint(it.ID[i+2:], 16, 32)
			if p == "" || err != nil || id > 0xffff && p != "SSLv2" {
				continue
			}
			f.addSuite(p, uint16(id))
			if m := testsslDHBits(it.Finding); m > 0 {
				addUnique(&f.dhBits, m)
			}
		case strings.HasPrefix(it.ID, "cipherorder_"):
			p := testsslProto[strings.TrimPrefix(it.ID, "cipherorder_")]
			var ids []uint16
			for _, n := range strings.Fields(it.Finding) {
				id, ok := opensslSuiteID(n)
				if !ok {
					ids = nil // a name we cannot map: no list
					break
				}
				ids = append(ids, id)
			}
			if p != "" && len(ids) > 0 {
				f.preference[p] = ids
			}
		case it.ID == "cipher_order":
			globalOrder = it.Finding
		case strings.HasPrefix(it.ID, "cipher_order-") || strings.HasPrefix(it.ID, "cipher_order_"):
			p := it.ID[len("cipher_order-"):]
			p = strings.NewReplacer("tls1_3", "TLSv1.3", "tls1_2", "TLSv1.2", "tls1_1", "TLSv1.1", "tls1", "TLSv1.0", "ssl3", "SSLv3").Replace(p)
			order[p] = strings.Contains(strings.ToLower(it.Finding), "server")
		case it.ID == "FS_ECDHE_curves" || it.ID == "PFS_ECDHE_curves":
			f.ecCurves = []uint16{}
			for _, n := range strings.Fields(it.Finding) {
				if id, ok := groupIDByName(n); ok {
					addUnique(&f.ecCurves, id)
				}
			}
		case it.ID == "DH_groups":
			// It lists TLS 1.3 FFDHE groups too: used only without the
			// cipher lines of -E, whose "DH 1024" are TLS <= 1.2 DHE sizes.
			if n := testsslGroupBits(it.Finding); n > 0 {
				addUnique(&dhGroups, n)
			}
		}
		switch {
		case it.ID == "cert_commonName" || strings.HasPrefix(it.ID, "cert_commonName "):
			if cn == "" {
				cn = it.Finding
			}
		case it.ID == "cert_notAfter" || strings.HasPrefix(it.ID, "cert_notAfter "):
			if notAfter == "" {
				notAfter = it.Finding
			}
		}
		if it.ID == "cert_chain_of_trust" {
			f.verdicts["chain_incomplete"] = f.verdicts["chain_incomplete"] || strings.Contains(it.Finding, "chain incomplete")
		}
		if v, ok := testsslVerdicts[it.ID]; ok {
			switch it.Severity {
			case "OK", "INFO":
				if !f.verdicts[v] { // LOGJAM and LOGJAM-common_primes share one verdict
					f.verdicts[v] = false
				}
			case "LOW", "MEDIUM", "HIGH", "CRITICAL":
				f.verdicts[v] = true
			}
		}
	}
	if t, err := time.Parse("2006-01-02 15:04", notAfter); err == nil && cn != "" {
		f.leaf = leafID(cn, t)
	}
	f.noSuites = true
	for _, it := range items {
		if strings.HasPrefix(it.ID, "cipher-") {
			f.noSuites = false
			break
		}
	}
	if f.noSuites {
		f.dhBits = dhGroups
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

var opensslNames map[string]uint16

// opensslSuiteID maps an OpenSSL suite name to its code point, from
// `openssl ciphers -V` (names OpenSSL 3 no longer knows are not found).
func opensslSuiteID(name string) (uint16, bool) {
	if opensslNames == nil {
		opensslNames = map[string]uint16{}
		out, _ := exec.Command("openssl", "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0").Output()
		for _, line := range strings.Split(string(out), "\n") {
			// "0xC0,0x30 - ECDHE-RSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH ..."
			fs := strings.Fields(line)
			if len(fs) < 3 || fs[1] != "-" {
				continue
			}
			hi, err1 := strconv.ParseUint(strings.TrimPrefix(strings.Split(fs[0], ",")[0], "0x"), 16, 8)
			lo, err2 := strconv.ParseUint(strings.TrimPrefix(strings.Split(fs[0], ",")[1], "0x"), 16, 8)
			if err1 == nil && err2 == nil {
				opensslNames[fs[2]] = uint16(hi)<<8 | uint16(lo)
			}
		}
	}
	if id, ok := opensslNames[name]; ok {
		return id, true
	}
	return suiteIDByName(name) // TLS 1.3 names are the IANA ones
}

// testsslGroupBits reads the size of a DH group as testssl.sh names it
// ("RFC2409/Oakley Group 2", "RFC7919/ffdhe2048", "... (1024 bits)").
func testsslGroupBits(name string) int {
	if m := testsslBits.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	for k, n := range map[string]int{"Oakley Group 1": 768, "Oakley Group 2": 1024, "Group 5": 1536, "Group 14": 2048,
		"Group 15": 3072, "Group 16": 4096, "ffdhe2048": 2048, "ffdhe3072": 3072, "ffdhe4096": 4096, "ffdhe6144": 6144,
		"ffdhe8192": 8192, "1024-bit": 1024, "2048-bit": 2048} {
		if strings.Contains(name, k) {
			return n
		}
	}
	return 0
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
