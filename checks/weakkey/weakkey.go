// Package weakkey holds the Debian weak key list (CVE-2008-0166): the RSA
// moduli Debian's OpenSSL generated from a predictable seed in 2006-2008,
// whose private keys are public. tlsaudit embeds no list of its own (Debian
// no longer ships the openssl-blacklist package); the caller loads one when
// it is available and hands it to the checks in checks.Env.
//
// A List is built once (Add, Load) and then only read: reads are safe from
// any number of goroutines; Add must not run concurrently with anything.
package weakkey

import (
	"bufio"
	"crypto/sha1" //nolint:gosec // the openssl-blacklist format is SHA-1 based
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
)

// DebianDir is where Debian's openssl-blacklist package put its lists.
const DebianDir = "/usr/share/openssl-blacklist"

// List is a set of Debian weak key fingerprints. The nil *List is empty.
type List struct {
	fp map[string]bool
}

// Fingerprint is the openssl-blacklist / openssl-vulnkey fingerprint of an
// RSA modulus: the last 20 hex digits (80 bits) of
// SHA-1("Modulus=" + uppercase hex of n + "\n").
func Fingerprint(n *big.Int) string {
	sum := sha1.Sum([]byte("Modulus=" + strings.ToUpper(n.Text(16)) + "\n")) //nolint:gosec
	return hex.EncodeToString(sum[:])[20:]
}

// Add adds blocklist lines (openssl-blacklist format: 20 lowercase hex
// digits, or a full SHA-1; '#' comments and blank lines ignored) and
// returns the number of entries added.
func (l *List) Add(lines []string) int {
	if l.fp == nil {
		l.fp = map[string]bool{}
	}
	n := 0
	for _, s := range lines {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if len(s) == 40 { // a full SHA-1 was given
			s = s[20:]
		}
		if len(s) != 20 {
			continue
		}
		if _, err := hex.DecodeString(s); err != nil {
			continue
		}
		if !l.fp[s] {
			l.fp[s] = true
			n++
		}
	}
	return n
}

// Len is the number of fingerprints in l.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.fp)
}

// Contains reports whether the RSA modulus n is on the list.
func (l *List) Contains(n *big.Int) bool {
	if l.Len() == 0 || n == nil {
		return false
	}
	return l.fp[Fingerprint(n)]
}

// Load reads every blacklist.RSA-* file of dir (the openssl-blacklist
// format). A missing directory gives an empty list, not an error.
func Load(dir string) (*List, error) {
	l := &List{}
	files, err := filepath.Glob(filepath.Join(dir, "blacklist.RSA-*"))
	if err != nil {
		return l, err
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return l, err
		}
		var lines []string
		sc := bufio.NewScanner(io.LimitReader(fh, 64<<20))
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			return l, fmt.Errorf("%s: %w", f, err)
		}
		l.Add(lines)
	}
	return l, nil
}
