package certfetch

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/cert"
)

// PlatformDir is where Debian's testssl.sh package installs the root stores
// of the major platforms (a snapshot taken when the package was built).
const PlatformDir = "/etc/testssl"

// PlatformBundles maps the bundle files of PlatformDir to the store names
// they are offered as. Mozilla.pem is left out (the embedded "mozilla" store
// is newer) and so is Linux.pem (the machine's own "system" store is).
var PlatformBundles = []struct{ File, Store, Platform string }{
	{"Apple.pem", "apple", "Apple (macOS, iOS)"},
	{"Microsoft.pem", "windows", "Microsoft Windows"},
	{"Java.pem", "java", "Java (Oracle/OpenJDK cacerts)"},
}

// storeName is what a named store may be called: short, lower case, safe in
// every report format and as a file name.
var storeName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,31}$`)

// ReservedStores are the names of the built-in stores, which a named store
// may not take.
var ReservedStores = []string{"mozilla", cert.SystemStoreName, "custom"}

// CheckStoreName returns an error when name cannot name a store.
func CheckStoreName(name string) error {
	if !storeName.MatchString(name) {
		return fmt.Errorf("invalid store name %q (want 1-32 of a-z 0-9 . _ -, starting with a letter or digit)", name)
	}
	for _, r := range ReservedStores {
		if name == r {
			return fmt.Errorf("store name %q is taken by the built-in store (use another name)", name)
		}
	}
	return nil
}

// LoadNamedStore reads a PEM bundle (or one DER certificate) as the
// informational store name, with its provenance (origin "file").
func LoadNamedStore(name, path string) (checks.TrustStore, error) {
	if err := CheckStoreName(name); err != nil {
		return checks.TrustStore{Name: name}, err
	}
	return loadDated(name, path, "file", "", true)
}

// LoadStoreDir reads every NAME.pem of dir as the informational store NAME
// (NAME lower-cased), sorted by name. Other files are ignored; a directory
// without any .pem file is an error.
func LoadStoreDir(dir string) ([]checks.TrustStore, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []checks.TrustStore
	for _, e := range ents {
		base, ok := strings.CutSuffix(e.Name(), ".pem")
		if !ok || e.IsDir() {
			continue
		}
		st, err := LoadNamedStore(strings.ToLower(base), filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no NAME.pem file", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// PlatformStores reads the platform bundles of dir (PlatformDir) that exist,
// as the informational stores apple, windows and java. A missing bundle is
// left out; one that exists but does not load is an error.
func PlatformStores(dir string) ([]checks.TrustStore, error) {
	var out []checks.TrustStore
	for _, b := range PlatformBundles {
		path := filepath.Join(dir, b.File)
		if _, err := os.Stat(path); os.IsNotExist(err) {
			continue
		}
		note := "a snapshot of the " + b.Platform + " root store shipped with the testssl.sh package, not the platform's current store"
		st, err := loadDated(b.Store, path, "platform", note, true)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// loadDated loads a store from path and dates it by its newest root, else
// by the file's modification time.
func loadDated(name, path, origin, note string, informational bool) (checks.TrustStore, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return checks.TrustStore{Name: name}, err
	}
	if fi.IsDir() {
		return checks.TrustStore{Name: name}, fmt.Errorf("%s: is a directory", path)
	}
	var st checks.TrustStore
	if informational && name != cert.SystemStoreName {
		data, err := ReadFileCapped(path, maxStoreFile)
		if err != nil {
			return checks.TrustStore{Name: name}, err
		}
		if st, err = cert.ParseBundle(name, data); err != nil {
			return st, fmt.Errorf("%s: %w", path, err)
		}
	} else if st, err = loadStore(name, path); err != nil {
		return st, err
	}
	st.Informational = informational
	st.Provenance = provenance(st.Roots, path, origin, note, fi)
	return st, nil
}

func provenance(roots [][]byte, path, origin, note string, fi os.FileInfo) *checks.StoreProvenance {
	p := &checks.StoreProvenance{Origin: origin, File: path, Note: note, FileModified: fi.ModTime().UTC()}
	if d, ok := cert.NewestRoot(roots); ok {
		p.Date, p.DateSource = d.UTC(), "newest_certificate"
	} else {
		p.Date, p.DateSource = p.FileModified, "file_mtime"
	}
	return p
}
