package grade

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// A quick scan has one handshake: no grade can be derived from it.
func TestQuickScanNotGraded(t *testing.T) {
	o := &obs.Observation{Status: obs.StatusOK, Mode: obs.ModeQuick,
		Protocols: []obs.Protocol{{Name: "TLSv1.3", Version: 0x0304, Supported: true, Suites: []obs.Suite{{ID: 0x1301, Name: "TLS_AES_128_GCM_SHA256"}}}}}
	g := Compute(o, nil, Options{})
	if g.Letter != "" || !strings.Contains(g.Error, "quick scan") {
		t.Fatalf("quick scan graded: %+v", g)
	}
}

// A vulnerability check that does not apply (ROBOT on a server without RSA
// key exchange) is not "not assessed".
func TestNotApplicableIsAssessed(t *testing.T) {
	o := &obs.Observation{Status: obs.StatusOK,
		Protocols: []obs.Protocol{{Name: "TLSv1.3", Version: 0x0304, Supported: true, Suites: []obs.Suite{{ID: 0x1301, Name: "TLS_AES_128_GCM_SHA256"}}}}}
	g := Compute(o, []checks.Finding{{CheckID: checks.IDVulnROBOT, Status: checks.StatusNotApplicable}}, Options{})
	for _, n := range g.NotAssessed {
		if strings.Contains(n, checks.IDVulnROBOT) {
			t.Errorf("not applicable ROBOT listed as not assessed: %q", n)
		}
	}
}
