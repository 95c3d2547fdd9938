//go:build linux

package tlstest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// OpenSSLOptions configure an `openssl s_server`. The zero value serves an
// RSA-2048 chain for DefaultName with OpenSSL's defaults (TLS 1.2 and 1.3).
type OpenSSLOptions struct {
	// Name is the DNS name of the generated certificate (default DefaultName).
	Name string
	// Leaf is served (-cert, -key, -cert_chain); default: an RSA-2048 leaf
	// for Name from SharedPKI().
	Leaf *Leaf
	// ExtraLeaf is a second certificate (-dcert, -dkey, -dcert_chain), e.g.
	// an ECDSA one; OpenSSL picks per handshake.
	ExtraLeaf *Leaf
	// MinProtocol and MaxProtocol: "TLSv1" (or "TLSv1.0"), "TLSv1.1",
	// "TLSv1.2", "TLSv1.3" (-min_protocol/-max_protocol).
	MinProtocol, MaxProtocol string
	// Ciphers is the TLS ≤1.2 cipher string (-cipher).
	Ciphers string
	// Ciphersuites is the TLS 1.3 list (-ciphersuites).
	Ciphersuites string
	// Groups is a colon-separated group list (-groups), e.g. "X25519:P-256".
	Groups string
	// ServerPref enforces the server's suite order (-serverpref).
	ServerPref bool
	// SecLevel0 appends "@SECLEVEL=0" to the cipher string. It is turned on
	// automatically for TLS 1.0/1.1, DH parameters under 2048 bits and
	// leaves with small RSA keys or SHA-1 signatures, which OpenSSL 3
	// refuses otherwise.
	SecLevel0 bool
	// DH parameters for DHE (-dhparam): DHParamFile, else DHGroup (an
	// `openssl genpkey -pkeyopt group:` name such as "ffdhe2048",
	// "modp_2048", "dh_1024_160", or "modp1024" for the RFC 2409 Oakley
	// group 2 prime), else DHParamBits (see DHParamsFor). Default: OpenSSL's
	// automatic choice.
	DHParamFile string
	DHGroup     string
	DHParamBits int
	// SigAlgs is a colon-separated signature algorithm list (-sigalgs).
	SigAlgs string
	// StatusFile is a DER OCSP response to staple (-status_file).
	StatusFile string
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// StartOpenSSL runs `openssl s_server -www` on a free port of 127.0.0.1 and
// waits until it accepts connections. Close kills it and removes its files.
func StartOpenSSL(opts OpenSSLOptions) (*Server, error) {
	bin, err := findBinary("openssl", "openssl")
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	var given []*Leaf
	if opts.Leaf != nil {
		given = append(given, opts.Leaf)
	}
	if opts.ExtraLeaf != nil {
		if opts.Leaf == nil {
			return nil, fmt.Errorf("tlstest: OpenSSLOptions.ExtraLeaf needs Leaf")
		}
		given = append(given, opts.ExtraLeaf)
	}
	leaves, pki, err := prepareLeaves(opts.Name, given)
	if err != nil {
		return nil, err
	}
	// Without -quiet s_server prints "ACCEPT" once it listens: waiting for it
	// also proves that the port is ours and not another process's.
	return launchServer("openssl", "ACCEPT", opts.Name, pki, leaves, func(dir string) (func(int) (*process, error), error) {
		args, err := opensslArgs(bin, dir, opts, leaves)
		if err != nil {
			return nil, err
		}
		return func(port int) (*process, error) {
			full := append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port)}, args...)
			return startProcess(dir, bin, full...)
		}, nil
	})
}

// StartOpenSSLT is StartOpenSSL for tests: it fails t (e.g. when openssl is
// not installed) and closes the server in t.Cleanup.
func StartOpenSSLT(t testing.TB, opts OpenSSLOptions) *Server {
	t.Helper()
	srv, err := StartOpenSSL(opts)
	return cleanupT(t, "StartOpenSSL", srv, err)
}

// opensslArgs builds the s_server arguments after -accept and writes the
// files they name into dir.
func opensslArgs(bin, dir string, opts OpenSSLOptions, leaves []*Leaf) ([]string, error) {
	args := []string{"-www"}
	for i, l := range leaves {
		sub := filepath.Join(dir, "leaf"+strconv.Itoa(i))
		if err := os.Mkdir(sub, 0o700); err != nil {
			return nil, err
		}
		cert, key, chain, err := l.WritePEM(sub)
		if err != nil {
			return nil, err
		}
		prefix := "-"
		if i == 1 {
			prefix = "-d"
		}
		args = append(args, prefix+"cert", cert, prefix+"key", key)
		if chain != "" {
			args = append(args, prefix+"cert_chain", chain)
		}
	}
	if opts.MinProtocol != "" {
		args = append(args, "-min_protocol", opensslProtocol(opts.MinProtocol))
	}
	if opts.MaxProtocol != "" {
		args = append(args, "-max_protocol", opensslProtocol(opts.MaxProtocol))
	}
	dhFile, dhBits, err := DHParamsFor(bin, dir, opts.DHParamFile, opts.DHGroup, opts.DHParamBits)
	if err != nil {
		return nil, err
	}
	if dhFile != "" {
		args = append(args, "-dhparam", dhFile)
	}
	ciphers := secLevelCiphers(opts.Ciphers, "DEFAULT", opts.SecLevel0 || needsSecLevel0(opts.MinProtocol, dhBits, leaves))
	for _, a := range [][2]string{
		{"-cipher", ciphers},
		{"-ciphersuites", opts.Ciphersuites},
		{"-groups", opts.Groups},
		{"-sigalgs", opts.SigAlgs},
		{"-status_file", opts.StatusFile},
	} {
		if a[1] != "" {
			args = append(args, a[0], a[1])
		}
	}
	if opts.ServerPref {
		args = append(args, "-serverpref")
	}
	return append(args, opts.ExtraArgs...), nil
}

// opensslProtocol maps a protocol name to OpenSSL's spelling.
func opensslProtocol(p string) string {
	if p == "TLSv1.0" {
		return "TLSv1"
	}
	return p
}

// needsSecLevel0 reports whether OpenSSL 3's default security level would
// refuse the configuration.
func needsSecLevel0(minProto string, dhBits int, leaves []*Leaf) bool {
	switch opensslProtocol(minProto) {
	case "SSLv3", "TLSv1", "TLSv1.1":
		return true
	}
	if dhBits > 0 && dhBits < 2048 {
		return true
	}
	for _, l := range leaves {
		if k, ok := l.Key.(*rsa.PrivateKey); ok && k.N.BitLen() < 2048 {
			return true
		}
		switch l.Cert.SignatureAlgorithm {
		case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.MD5WithRSA:
			return true
		}
	}
	return false
}

// dhGroupsByBits maps DHParamBits to the group used.
var dhGroupsByBits = map[int]string{
	1024: "modp1024",
	1536: "modp_1536",
	2048: "ffdhe2048",
	3072: "ffdhe3072",
	4096: "ffdhe4096",
	6144: "ffdhe6144",
	8192: "ffdhe8192",
}

// DHParamsFor returns a PKCS#3 "DH PARAMETERS" PEM file for a launcher and
// the prime size: file itself when set; else the named group (written into
// dir with `openssl genpkey -genparam`, which is instant for named groups,
// or from Go for "modp1024", the RFC 2409 Oakley group 2 prime that OpenSSL 3
// no longer names); else the group for bits: 1024 modp1024, 1536 modp_1536
// (RFC 3526), 2048–8192 ffdheN (RFC 7919). All empty: "", 0.
func DHParamsFor(opensslBin, dir, file, group string, bits int) (string, int, error) {
	if file != "" {
		return file, dhFileBits(file), nil
	}
	if group == "" && bits != 0 {
		group = dhGroupsByBits[bits]
		if group == "" {
			return "", 0, fmt.Errorf("tlstest: no DH group of %d bits (have 1024, 1536, 2048, 3072, 4096, 6144, 8192)", bits)
		}
	}
	if group == "" {
		return "", 0, nil
	}
	out := filepath.Join(dir, "dhparam.pem")
	if group == "modp1024" {
		der, err := asn1.Marshal(struct{ P, G *big.Int }{DHPrime1024(), big.NewInt(2)})
		if err != nil {
			return "", 0, err
		}
		if err := os.WriteFile(out, pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: der}), 0o644); err != nil {
			return "", 0, err
		}
		return out, 1024, nil
	}
	cmd := exec.Command(opensslBin, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:"+group, "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("tlstest: DH group %q: %v: %s", group, err, strings.TrimSpace(string(msg)))
	}
	return out, dhFileBits(out), nil
}

// dhFileBits returns the prime size of a PEM DH parameters file, 0 if unknown.
func dhFileBits(file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return 0
		}
		if b.Type != "DH PARAMETERS" && b.Type != "X9.42 DH PARAMETERS" {
			continue
		}
		// PKCS#3 (p, g) and X9.42 (p, g, q, ...) both start with p.
		var params struct{ P *big.Int }
		if _, err := asn1.Unmarshal(b.Bytes, &params); err == nil && params.P != nil {
			return params.P.BitLen()
		}
		return 0
	}
}
