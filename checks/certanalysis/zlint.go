package certanalysis

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"sync"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"
)

// lintCacheCap bounds an Analyzer's zlint results, kept by certificate
// (SHA-256 of the DER): a batch meets the same intermediates again and
// again, and linting is the costliest part of a certificate analysis.
// zlint's results depend only on the certificate (lints key their
// effective dates on its notBefore).
const lintCacheCap = 4096

// lintEntry is the lint of one certificate, made once however many ask at
// the same time (Prelint in the background, then the analysis).
type lintEntry struct {
	once sync.Once
	out  []LintResult
}

// lint lints c, or returns z's results for the same DER (the nil Analyzer
// lints every time).
func (z *Analyzer) lint(c *zx509.Certificate) []LintResult {
	if z == nil {
		return lint1(c)
	}
	e := z.lints.GetOrPut(sha256.Sum256(c.Raw), func() *lintEntry { return new(lintEntry) })
	e.once.Do(func() { e.out = lint1(c) })
	return e.out
}

// lint1 lints c and returns the warnings, errors and fatal results, sorted
// by lint name. A panic inside a lint is reported as a fatal result.
func lint1(c *zx509.Certificate) (out []LintResult) {
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
