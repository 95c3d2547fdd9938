package cert

import (
	"fmt"
	"sort"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"
)

// runZlint lints c and returns the warnings, errors and fatal results, sorted
// by lint name. A panic inside a lint is reported as a fatal result.
func runZlint(c *zx509.Certificate) (out []LintResult) {
	defer func() {
		if r := recover(); r != nil {
			out = append(out, LintResult{Lint: "zlint", Status: "fatal", Details: fmt.Sprintf("zlint panic: %v", r)})
		}
	}()
	rs := zlint.LintCertificate(c)
	for name, r := range rs.Results {
		if r == nil {
			continue
		}
		var status string
		switch r.Status {
		case lint.Warn:
			status = "warn"
		case lint.Error:
			status = "error"
		case lint.Fatal:
			status = "fatal"
		default:
			continue
		}
		out = append(out, LintResult{Lint: name, Status: status, Details: r.Details,
			Citation: r.LintMetadata.Citation, Source: string(r.LintMetadata.Source)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Lint < out[j].Lint })
	return out
}
