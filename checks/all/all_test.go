package all

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
)

// The zlint-style registry tests: every registered check is well formed.
func TestCatalogue(t *testing.T) {
	all := Registry().Catalogue()
	if len(all) < 20 {
		t.Fatalf("only %d checks registered", len(all))
	}
	refKinds := map[string]bool{"cve": true, "cwe": true, "rfc": true, "cabf": true, "url": true}
	for _, m := range all {
		if !checks.ValidID(m.ID) {
			t.Errorf("%s: malformed ID", m.ID)
		}
		if strings.TrimSpace(m.Title) == "" || strings.TrimSpace(m.Description) == "" {
			t.Errorf("%s: empty title or description", m.ID)
		}
		if m.Category != checks.CategoryOf(m.ID) {
			t.Errorf("%s: category %q, want %q", m.ID, m.Category, checks.CategoryOf(m.ID))
		}
		if m.Severity.Rank() < 0 {
			t.Errorf("%s: unknown severity %q", m.ID, m.Severity)
		}
		hasVulnRef := false
		for _, r := range m.Refs {
			if !refKinds[r.Kind] || r.ID == "" {
				t.Errorf("%s: bad ref %+v", m.ID, r)
			}
			if r.Kind == "cve" && !strings.HasPrefix(r.ID, "CVE-") || r.Kind == "cwe" && !strings.HasPrefix(r.ID, "CWE-") {
				t.Errorf("%s: ref ID %q does not match its kind", m.ID, r.ID)
			}
			hasVulnRef = hasVulnRef || r.Kind == "cve" || r.Kind == "cwe"
		}
		if strings.HasPrefix(m.ID, "vuln.") && !hasVulnRef {
			t.Errorf("%s: a vuln.* check needs a CVE or CWE reference", m.ID)
		}
		for _, leftover := range []string{"TODO", "Fill this in", "FIXME"} {
			if strings.Contains(m.Title+m.Description, leftover) {
				t.Errorf("%s: scaffold leftover %q in metadata", m.ID, leftover)
			}
		}
	}
}

// The ID prefix must be the directory (package) that declares the check.
func TestIDPrefixIsDirectory(t *testing.T) {
	for _, c := range Registry().All() {
		id := c.Meta().ID
		pkg := ""
		if fc, ok := c.(*checks.FuncCheck); ok {
			pkg = fc.Package()
		} else {
			typ := reflect.TypeOf(c)
			for typ.Kind() == reflect.Pointer {
				typ = typ.Elem()
			}
			pkg = typ.PkgPath()
		}
		prefix, _, _ := strings.Cut(id, ".")
		if path.Base(pkg) != prefix {
			t.Errorf("%s is declared in %s: the ID prefix must be the directory name", id, pkg)
		}
	}
}

// One anatomy for every check: built by checks.New (a *checks.FuncCheck),
// declared in a file named after its ID without the category
// (checks/vuln/freak.go declares vuln.freak), its ID one of the constants
// of checks/ids.go, and every constant there a registered check.
func TestCheckAnatomy(t *testing.T) {
	consts := idConstants(t)
	registered := map[string]bool{}
	for _, c := range Registry().All() {
		id := c.Meta().ID
		registered[id] = true
		fc, ok := c.(*checks.FuncCheck)
		if !ok {
			t.Errorf("%s is a %T, not built by checks.New", id, c)
			continue
		}
		_, name, _ := strings.Cut(id, ".")
		if got := filepath.Base(fc.File()); got != name+".go" {
			t.Errorf("%s is declared in %s, want %s.go", id, got, name)
		}
		if !consts[id] {
			t.Errorf("%s has no constant in checks/ids.go", id)
		}
	}
	for id := range consts {
		if !registered[id] {
			t.Errorf("checks/ids.go names %s, which no check registers", id)
		}
	}
}

// idConstants returns the values of the string constants of checks/ids.go.
func idConstants(t *testing.T) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../ids.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, sp := range gd.Specs {
			for _, v := range sp.(*ast.ValueSpec).Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					id, _ := strconv.Unquote(lit.Value)
					out[id] = true
				}
			}
		}
	}
	return out
}

// Every ID constant of the protocol, cipher and key-exchange categories is
// registered (the grade refers to them).
func TestSharedIDsRegistered(t *testing.T) {
	for _, id := range []string{
		checks.IDProtoSSLv2Enabled, checks.IDProtoSSLv3Enabled, checks.IDProtoTLS10Enabled, checks.IDProtoTLS11Enabled,
		checks.IDProtoTLS12Missing, checks.IDProtoTLS13Missing,
		checks.IDCipherNull, checks.IDCipherAnonymous, checks.IDCipherExport, checks.IDCipherRC4, checks.IDCipherDES64BitBlock,
		checks.IDCipherWeakUnder128, checks.IDCipherNoForwardSecrecy, checks.IDCipherNoAEAD, checks.IDCipherCBCTLS10,
		checks.IDCipherCBC, checks.IDCipherClientOrder,
		checks.IDKxDHUnder2048, checks.IDKxDHUnder1024, checks.IDKxDHCommonPrime, checks.IDKxRSAKeyExchange,
		checks.IDKxWeakCurve, checks.IDKxNoPostQuantum,
	} {
		if _, ok := Registry().Lookup(id); !ok {
			t.Errorf("%s is not registered", id)
		}
	}
}

// Running everything on every fixture never yields an error finding; a
// failed scan yields nothing but not_applicable for the categories here.
func TestRunFixtures(t *testing.T) {
	ours := checks.Filter{Categories: []string{"proto", "cipher", "kx"}}
	reg := Registry().Filter(ours)
	for _, name := range []string{"modern", "legacy", "sslv2_sslv3", "failed", "partial"} {
		fs := reg.Run(checktest.Observation(t, name), checktest.Env())
		if len(fs) != len(reg.All()) {
			t.Errorf("%s: %d findings for %d checks", name, len(fs), len(reg.All()))
		}
		for _, f := range fs {
			if f.Status == checks.StatusError {
				t.Errorf("%s: %s: %s", name, f.CheckID, f.Detail)
			}
			if name == "failed" && f.Status != checks.StatusNotApplicable {
				t.Errorf("failed scan: %s is %s, want not_applicable", f.CheckID, f.Status)
			}
			if f.Detail == "" {
				t.Errorf("%s: %s: no detail", name, f.CheckID)
			}
		}
	}
}
