package tlsaudit

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The module's layers, as `go list -deps` sees them. Data flows one way:
// target → scan → observation → checks → findings/grade → report; the
// root package and cmd wire them together.
const module = "github.com/tlsaudit/tlsaudit"

// networkPackages (and the packages under them) do network I/O (dial,
// listen, resolve, fetch) or run servers: checks and report must not depend
// on them. The scan tree's other packages are data (obs, registry), leaves
// shared with the checks (truststore, certcache) or pure decoders.
var networkPackages = []string{
	module + "/scan",
	module + "/scan/batch",
	module + "/scan/certfetch",
	module + "/scan/starttls",
	module + "/scan/clientsim/capture",
	module + "/scan/tlstest",
	module + "/serve",
}

// networkImports are the standard and third-party packages whose direct
// import marks a package as doing network I/O or running programs. (Some
// third-party dependencies of the checks import net/http themselves, for
// instance the public suffix list's cookie jar; only the module's own
// packages are held to this list.)
var networkImports = []string{"net/http", "crypto/tls", "os/exec", "github.com/miekg/dns"}

// leaves are shared by scan and checks and import no other package of the
// module.
var leaves = []string{
	module + "/scan/obs",
	module + "/scan/truststore",
	module + "/scan/certcache",
	module + "/checks/weakkey",
}

type listed struct {
	path    string
	imports []string
}

// goList returns every package in the dependency graph of patterns (the
// patterns' own packages included), with its direct imports.
func goList(t *testing.T, patterns ...string) []listed {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			t.Fatalf("the go command is needed to list the import graph: %v", err)
		}
	}
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}"}, patterns...)
	out, err := exec.Command(gobin, args...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, msg)
	}
	var pkgs []listed
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkgs = append(pkgs, listed{path: f[0], imports: f[1:]})
	}
	return pkgs
}

func under(path string, roots ...string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r+"/") {
			return true
		}
	}
	return false
}

func TestScanImportsNoChecksReportOrCommand(t *testing.T) {
	for _, p := range goList(t, "./scan/...") {
		if p.path == module || under(p.path, module+"/checks", module+"/report", module+"/cmd", module+"/serve") {
			t.Errorf("scan depends on %s", p.path)
		}
	}
}

func TestChecksAndReportDoNoNetworkIO(t *testing.T) {
	for _, p := range goList(t, "./checks/...", "./report/...") {
		if p.path == module+"/scan" || under(p.path, networkPackages[1:]...) || under(p.path, module+"/cmd") || p.path == module {
			t.Errorf("checks or report depend on %s, a package doing network I/O", p.path)
		}
		if !under(p.path, module) {
			continue
		}
		for _, imp := range p.imports {
			if slices.Contains(networkImports, imp) {
				t.Errorf("%s (a dependency of checks or report) imports %s", p.path, imp)
			}
		}
	}
}

func TestLeafPackagesImportNoOtherPackageOfTheModule(t *testing.T) {
	for _, leaf := range leaves {
		for _, p := range goList(t, leaf) {
			if p.path != leaf && under(p.path, module) {
				t.Errorf("%s depends on %s; it must stay a leaf", leaf, p.path)
			}
		}
	}
}

func TestCommandLinksNoTestServer(t *testing.T) {
	for _, p := range goList(t, "./cmd/tlsaudit") {
		if under(p.path, module) && (strings.HasSuffix(p.path, "test") || strings.Contains(p.path, "/tlstest")) {
			t.Errorf("the tlsaudit command links %s, a test helper", p.path)
		}
	}
}

// historyRE matches what a comment must not cite: work-item numbers and
// paths of a development machine (state the invariant instead, and cite
// public sources in docs/ or a check's Refs).
var historyRE = regexp.MustCompile(`\b[Ii]ssue #?[0-9]+\b|[^a-z.]/wor[k]/|/shared/note[s]|[^a-z.]/hom[e]/[a-z]|[^a-z.]/User[s]/[a-z]`)

// eachGoFile calls f with the path of every Go file of the module outside
// testdata and hidden directories; an error of f fails the test.
func eachGoFile(t *testing.T, f func(path string) error) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		return f(path)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSourcesCiteNoWorkItemOrMachinePath(t *testing.T) {
	eachGoFile(t, func(path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if historyRE.MatchString(line) {
				t.Errorf("%s:%d cites a work item or a machine path: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
}

// TestNoPackageImportedForItsSideEffect: no file imports a package of the
// module for its init alone (import _): what a package provides, such as
// the checks of checks/all, is reached by name.
func TestNoPackageImportedForItsSideEffect(t *testing.T) {
	eachGoFile(t, func(path string) error {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if imp.Name != nil && imp.Name.Name == "_" && strings.HasPrefix(strings.Trim(imp.Path.Value, `"`), module) {
				t.Errorf("%s imports %s for its side effect", path, imp.Path.Value)
			}
		}
		return nil
	})
}
