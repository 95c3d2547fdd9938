package grade

import (
	"strings"
	"testing"

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
