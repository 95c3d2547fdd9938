package certfetch

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/cert"
)

// SystemBundle is the Debian/Ubuntu system CA bundle.
const SystemBundle = "/etc/ssl/certs/ca-certificates.crt"

// maxStoreFile caps a trust store file.
const maxStoreFile = 32 << 20

// SystemStore reads the system trust store (SystemBundle), named "system".
func SystemStore() (checks.TrustStore, error) {
	return loadDated(cert.SystemStoreName, SystemBundle, "system", "", true)
}

// LoadCAFile reads a PEM (or single DER) file of trust anchors, named
// "custom" (--ca-file).
func LoadCAFile(path string) (checks.TrustStore, error) {
	return loadDated("custom", path, "file", "", false)
}

func loadStore(name, path string) (checks.TrustStore, error) {
	data, err := ReadFileCapped(path, maxStoreFile)
	if err != nil {
		return checks.TrustStore{Name: name}, err
	}
	ts, err := cert.ParseStore(name, data)
	if err != nil {
		return ts, fmt.Errorf("%s: %w", path, err)
	}
	return ts, nil
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

// DebianBlocklistDir is where Debian's openssl-blacklist package put its lists.
const DebianBlocklistDir = "/usr/share/openssl-blacklist"

// LoadDebianBlocklist loads every blacklist.RSA-* file of dir (the
// openssl-blacklist format) into cert's Debian weak key list and returns the
// number of fingerprints added. A missing directory is not an error (0).
func LoadDebianBlocklist(dir string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "blacklist.RSA-*"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return n, err
		}
		var lines []string
		sc := bufio.NewScanner(io.LimitReader(fh, 64<<20))
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			return n, fmt.Errorf("%s: %w", f, err)
		}
		n += cert.AddDebianWeakFingerprints(lines)
	}
	return n, nil
}
