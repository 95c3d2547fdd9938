package truststore

import (
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// PlatformDir is where Debian's testssl.sh package installs the root stores
// of the major platforms (a snapshot taken when the package was built).
const PlatformDir = "/etc/testssl"

// PlatformBundle is one platform bundle of PlatformDir and the store name
// it is offered as.
type PlatformBundle struct{ File, Store, Platform string }

// PlatformBundles are the bundles of PlatformDir offered as stores.
// Mozilla.pem is left out (the embedded "mozilla" store is newer) and so is
// Linux.pem (the machine's own "system" store is).
var PlatformBundles = []PlatformBundle{
	{"Apple.pem", "apple", "Apple (macOS, iOS)"},
	{"Microsoft.pem", "windows", "Microsoft Windows"},
	{"Java.pem", "java", "Java (Oracle/OpenJDK cacerts)"},
}

// IsPlatformStore reports whether name is the name of a platform store.
func IsPlatformStore(name string) bool {
	return slices.ContainsFunc(PlatformBundles, func(b PlatformBundle) bool { return b.Store == name })
}

// storeName is what a named store may be called: short, lower case, safe in
// every report format and as a file name.
var storeName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,31}$`)

// CheckName returns an error when name cannot name a store of its own:
// malformed, or the name of a built-in store.
func CheckName(name string) error {
	if !storeName.MatchString(name) {
		return fmt.Errorf("invalid store name %q (want 1-32 of a-z 0-9 . _ -, starting with a letter or digit)", name)
	}
	if name == MozillaName || name == SystemName || name == CustomName {
		return fmt.Errorf("store name %q is taken by the built-in store (use another name)", name)
	}
	return nil
}

// LoadNamed reads a PEM bundle (or one DER certificate) as the
// informational store name, with its provenance (origin "file").
func LoadNamed(name, path string) (Store, error) {
	if err := CheckName(name); err != nil {
		return Store{Name: name}, err
	}
	return load(name, path, "file", "", true)
}

// LoadDir reads every NAME.pem of dir as the informational store NAME
// (NAME lower-cased), sorted by name. Other files are ignored; a directory
// without any .pem file is an error.
func LoadDir(dir string) ([]Store, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Store
	for _, e := range ents {
		base, ok := strings.CutSuffix(e.Name(), ".pem")
		if !ok || e.IsDir() {
			continue
		}
		st, err := LoadNamed(strings.ToLower(base), filepath.Join(dir, e.Name()))
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

// Platform reads the platform bundles of dir (PlatformDir) that exist, as
// the informational stores apple, windows and java. A missing bundle is
// left out; one that exists but does not load is an error.
func Platform(dir string) ([]Store, error) {
	var out []Store
	for _, b := range PlatformBundles {
		path := filepath.Join(dir, b.File)
		if _, err := os.Stat(path); os.IsNotExist(err) {
			continue
		}
		note := "a snapshot of the " + b.Platform + " root store shipped with the testssl.sh package, not the platform's current store"
		st, err := load(b.Store, path, "platform", note, true)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// load reads a store from path and dates it by its newest root, else by
// the file's modification time. Informational stores other than the system
// store are indexed lazily (ParseBundle).
func load(name, path, origin, note string, informational bool) (Store, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Store{Name: name}, err
	}
	if fi.IsDir() {
		return Store{Name: name}, fmt.Errorf("%s: is a directory", path)
	}
	data, err := ReadFileCapped(path, MaxFile)
	if err != nil {
		return Store{Name: name}, err
	}
	parse := Parse
	if informational && name != SystemName {
		parse = ParseBundle
	}
	st, err := parse(name, data)
	if err != nil {
		return st, fmt.Errorf("%s: %w", path, err)
	}
	st.Informational = informational
	st.Provenance = &Provenance{Origin: origin, File: path, Note: note, FileModified: fi.ModTime().UTC()}
	if d, ok := NewestRoot(st.Roots); ok {
		st.Provenance.Date, st.Provenance.DateSource = d.UTC(), "newest_certificate"
	} else {
		st.Provenance.Date, st.Provenance.DateSource = st.Provenance.FileModified, "file_mtime"
	}
	return st, nil
}

// ParseBundle is Parse for large bundles of informational stores (the
// platform stores hold about 700 roots): a certificate whose name and key
// can be walked is kept without a full parse, which happens, as for every
// anchor, when a path first reaches it (an anchor that does not parse then
// is none). Parsing them all up front cost about 12 ms of CPU per run.
func ParseBundle(name string, data []byte) (Store, error) {
	ts := Store{Name: name}
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" {
			continue
		}
		if _, _, ok := RawSubjectSPKI(b.Bytes); !ok {
			if err := checkRoot(b.Bytes); err != nil {
				return ts, fmt.Errorf("certificate %d: %v", len(ts.Roots)+1, err)
			}
		}
		ts.Roots = append(ts.Roots, b.Bytes)
	}
	if len(ts.Roots) == 0 {
		return Parse(name, data) // one DER certificate, or the error
	}
	return ts, nil
}
