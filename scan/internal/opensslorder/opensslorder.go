// Package opensslorder reads OpenSSL's own cipher suite order from the
// installed openssl binary. scan's speculative suite selection predicts an
// OpenSSL server's picks from it: the generator (./gen) writes the table
// scan compiles in, and scan's tests compare that table with the installed
// openssl, so a drift is noticed.
package opensslorder

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// CipherString selects every suite OpenSSL has, in its default order
// (strength, then forward secrecy, then AEAD, ...): the order ALL, HIGH,
// DEFAULT and similar strings keep.
const CipherString = "ALL:COMPLEMENTOFALL:@SECLEVEL=0"

// line matches one line of "openssl ciphers -V": "0xC0,0x2C - NAME ...".
var line = regexp.MustCompile(`^\s*0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2}) - (\S+)\s+(\S+)`)

// Suite is one suite of OpenSSL's list.
type Suite struct {
	ID   uint16
	Name string // OpenSSL's name
}

// Parse reads the output of "openssl ciphers -V" and returns its TLS ≤ 1.2
// suites in order (TLS 1.3 suites, 0x13xx, are negotiated apart and left out).
func Parse(out []byte) ([]Suite, error) {
	var suites []Suite
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			return nil, fmt.Errorf("openssl ciphers: unparsed line %q", sc.Text())
		}
		id, _ := strconv.ParseUint(m[1]+m[2], 16, 16)
		if id>>8 == 0x13 {
			continue
		}
		suites = append(suites, Suite{ID: uint16(id), Name: m[3]})
	}
	if len(suites) == 0 {
		return nil, fmt.Errorf("openssl ciphers: no suite listed")
	}
	return suites, nil
}

// Installed runs the installed openssl and returns its order, with its
// version line.
func Installed() ([]Suite, string, error) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		return nil, "", fmt.Errorf("the openssl binary is needed: %w", err)
	}
	out, err := exec.Command(bin, "ciphers", "-V", CipherString).Output()
	if err != nil {
		return nil, "", fmt.Errorf("openssl ciphers -V %s: %w", CipherString, err)
	}
	ver, err := exec.Command(bin, "version").Output()
	if err != nil {
		return nil, "", fmt.Errorf("openssl version: %w", err)
	}
	suites, err := Parse(out)
	return suites, strings.TrimSpace(string(ver)), err
}
