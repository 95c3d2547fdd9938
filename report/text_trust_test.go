package report

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// TestInformationalStoresFoldWithoutVerbose: without --verbose the
// informational stores the user did not name (system, platform snapshots)
// are one line per verdict, while the deciding stores and a store the user
// named keep a line each; --verbose shows every store's line.
func TestInformationalStoresFoldWithoutVerbose(t *testing.T) {
	r := loadReport(t, "modern")
	ch := &r.Certificates.Chains[0]
	info := func(name, origin string, trusted bool) cert.StoreTrust {
		return cert.StoreTrust{Store: name, Trusted: trusted, Informational: true, Reason: "unknown issuer: no path",
			Provenance: &certanalysis.StoreAge{Provenance: truststore.Provenance{Origin: origin}}}
	}
	ch.Trust = append(ch.Trust, info("system", "system", false), info("apple", "platform", false),
		info("java", "platform", true), info("mine", "file", false))
	for _, cols := range []int{80, 120} {
		out := string(render(t, "text", Style{Width: cols}, r))
		assertFits(t, []byte(out), cols)
		for _, want := range []string{"mozilla  untrusted", "custom   trusted via 1 path",
			"system, apple: untrusted (informational stores", "java: trusted (informational stores", "mine     untrusted"} {
			if !strings.Contains(out, want) {
				t.Errorf("%d columns: no %q:\n%s", cols, want, out)
			}
		}
		verbose := string(render(t, "text", Style{Width: cols, Verbose: true}, r))
		if strings.Contains(verbose, "informational stores") || !strings.Contains(verbose, "apple    untrusted") {
			t.Errorf("%d columns, --verbose: the stores are folded:\n%s", cols, verbose)
		}
	}
}
