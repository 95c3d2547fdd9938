// Package truststore holds named sets of trust anchors: the Mozilla (NSS)
// roots embedded in the binary, the machine's bundle and files of anchors.
// It is a leaf: the scanner (revocation, AIA issuers) and the checks (chain
// validation) both use it, and it imports neither.
package truststore

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// Store is a named set of trust anchors.
type Store struct {
	// Name identifies the store in reports ("mozilla", "system", "custom").
	Name string
	// Roots are the anchors, DER certificates.
	Roots [][]byte
	// Informational: the store gets its trust line (and a cert.store_trust
	// finding) but does not decide cert.untrusted, so not the grade either.
	// The system store and the named and platform stores are informational;
	// mozilla and custom (--ca-file) decide.
	Informational bool
	// Provenance says where the roots come from and how old they are; nil
	// when the caller built the store itself.
	Provenance *Provenance
}

// Provenance is where a trust store's roots come from.
type Provenance struct {
	// Origin: "embedded" (compiled in), "system" (the system bundle),
	// "file" (a file the user named) or "platform" (a platform's bundle
	// found on the machine, e.g. the one Debian's testssl.sh package ships).
	Origin string `json:"origin"`
	File   string `json:"file,omitempty"`
	// Date is the notBefore of the store's newest root (DateSource
	// "newest_certificate"), or the file's modification time when no root's
	// date could be read ("file_mtime"). A store is at least this old.
	Date       time.Time `json:"date"`
	DateSource string    `json:"date_source"`
	// FileModified is the file's modification time, when read from a file.
	FileModified time.Time `json:"file_modified,omitzero"`
	// Note is a caveat shown with the store, e.g. that it is a dated
	// snapshot and not the platform's current store.
	Note string `json:"note,omitempty"`
}

// Names of the built-in stores.
const (
	MozillaName = "mozilla"
	SystemName  = "system"
	CustomName  = "custom"
)

// SystemBundle is the Debian/Ubuntu system CA bundle.
const SystemBundle = "/etc/ssl/certs/ca-certificates.crt"

// MaxFile caps a trust store file.
const MaxFile = 32 << 20

var mozillaRoots = sync.OnceValue(func() [][]byte {
	var roots [][]byte
	for r := range bundle.Roots() {
		roots = append(roots, r.Certificate)
	}
	return roots
})

// Mozilla returns the Mozilla (NSS) root set embedded in the binary
// (golang.org/x/crypto/x509roots/fallback). The NSS "distrust after"
// constraints of a few roots are not carried over.
func Mozilla() Store {
	return Store{Name: MozillaName, Roots: mozillaRoots(), Provenance: mozillaProvenance()}
}

// mozillaProvenance dates the embedded set by its newest root.
var mozillaProvenance = sync.OnceValue(func() *Provenance {
	p := &Provenance{Origin: "embedded", DateSource: "newest_certificate",
		Note: "Mozilla NSS roots compiled into this binary (golang.org/x/crypto/x509roots/fallback)"}
	p.Date, _ = NewestRoot(mozillaRoots())
	return p
})

// System reads the machine's trust store (SystemBundle), named "system"
// (informational: it differs from machine to machine).
func System() (Store, error) { return load(SystemName, SystemBundle, "system", "", true) }

// Load reads a PEM (or single DER) file of trust anchors as a store named
// name that decides the grade (as custom does, --ca-file).
func Load(name, path string) (Store, error) { return load(name, path, "file", "", false) }

// Parse builds a store from PEM (any number of CERTIFICATE blocks) or from
// one DER certificate.
func Parse(name string, data []byte) (Store, error) {
	ts := Store{Name: name}
	rest := data
	sawPEM := false
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		sawPEM = true
		if b.Type != "CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" {
			continue
		}
		if err := checkRoot(b.Bytes); err != nil {
			return ts, fmt.Errorf("certificate %d: %v", len(ts.Roots)+1, err)
		}
		ts.Roots = append(ts.Roots, b.Bytes)
	}
	if !sawPEM {
		if checkRoot(data) == nil {
			ts.Roots = append(ts.Roots, data)
		}
	}
	if len(ts.Roots) == 0 {
		return ts, errors.New("no certificate found")
	}
	return ts, nil
}

// checkRoot reports whether der is a certificate: the standard library's
// parse (which checks no signature) first, zcrypto's lenient one only for
// what it refuses. Parsing with zcrypto alone checked every self-signature
// of the system store (about 30 ms per run).
func checkRoot(der []byte) (err error) {
	if _, err := x509.ParseCertificate(der); err == nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("certificate parser panic: %v", r)
		}
	}()
	c, err := zx509.ParseCertificate(der)
	if err != nil && c == nil {
		return err
	}
	return nil
}

// ReadFileCapped reads the file at path, or fails with an error naming it
// when it is larger than max bytes (reading at most max+1 of them).
func ReadFileCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return data, nil
}
