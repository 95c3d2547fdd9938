package tlsaudit_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/tlsaudit/tlsaudit"
)

// Audit a TLS server on loopback. The test server's certificate chains to
// no trusted root, so the grade is T.
func Example() {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the probes' aborted handshakes
	srv.StartTLS()
	defer srv.Close()

	r, err := tlsaudit.Audit(context.Background(), srv.Listener.Addr().String(),
		tlsaudit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Status, "grade", r.Grade.Letter)
	for _, p := range r.Observation.Protocols {
		if p.Supported {
			fmt.Println(p.Name, len(p.Suites), "suites")
		}
	}
	for _, f := range r.Failed() {
		if f.CheckID == "cert.untrusted" {
			fmt.Println(f.CheckID, f.Severity)
		}
	}
	// Output:
	// ok grade T
	// TLSv1.2 5 suites
	// TLSv1.3 3 suites
	// cert.untrusted critical
}
