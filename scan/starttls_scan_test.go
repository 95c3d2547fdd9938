package scan

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// starttlsConfig is the TLS side of the STARTTLS fakes: TLS 1.2 with two
// suites, and TLS 1.3.
func starttlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS13,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
	}
}

func scanStartTLS(t *testing.T, srv *tlstest.Server, proto string) *obs.Observation {
	t.Helper()
	s := New(Options{ConnTimeout: 5 * time.Second, Timeout: 90 * time.Second})
	o := s.Scan(context.Background(), Target{Input: proto + "://" + srv.Addr, Host: srv.Host, Port: srv.Port, SNI: srv.Name, StartTLS: proto})
	if _, err := json.Marshal(o); err != nil {
		t.Fatalf("observation does not marshal: %v", err)
	}
	return o
}

// TestStartTLSFakes audits every STARTTLS fake: each connection of the audit
// is upgraded, so the result must be the TLS server's exact configuration.
func TestStartTLSFakes(t *testing.T) {
	for _, pr := range tlstest.StartTLSProtocols {
		t.Run(pr, func(t *testing.T) {
			t.Parallel()
			srv := tlstest.NewStartTLSServerT(t, pr, starttlsConfig())
			o := scanStartTLS(t, srv, pr)
			if o.Status != obs.StatusOK {
				t.Fatalf("status %s: %s", o.Status, o.Error)
			}
			if o.Target.StartTLS != pr {
				t.Errorf("target.starttls = %q, want %q", o.Target.StartTLS, pr)
			}
			for _, e := range o.Errors {
				t.Errorf("probe error: %s: %s", e.Probe, e.Error)
			}
			for _, p := range o.Protocols {
				want := p.Name == "TLSv1.2" || p.Name == "TLSv1.3"
				if p.Supported != want {
					t.Errorf("%s supported = %v, want %v (error %q)", p.Name, p.Supported, want, p.Error)
				}
			}
			got := suiteIDs(proto12(o))
			slices.Sort(got)
			if want := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}; !slices.Equal(got, want) {
				t.Errorf("TLS 1.2 suites = %s, want %s", names(got), names(want))
			}
			if n := len(proto(o, "TLSv1.3").Suites); n != 3 {
				t.Errorf("TLS 1.3 suites: %d, want 3", n)
			}
			if len(o.Chains) == 0 || !slices.EqualFunc(o.Chains[0].Certificates, srv.Chain, func(c obs.Certificate, der []byte) bool { return string(c.DER) == string(der) }) {
				t.Errorf("chain not captured as served")
			}
			if c := srv.ConnCount(); c != o.Connections {
				t.Errorf("server accepted %d connections, observation says %d", c, o.Connections)
			}
		})
	}
}

func proto12(o *obs.Observation) obs.Protocol { return proto(o, "TLSv1.2") }

// TestStartTLSRefused: a server that does not offer the upgrade gives
// starttls_error with the protocol's explanation, and no TLS verdicts.
func TestStartTLSRefused(t *testing.T) {
	wantText := map[string]string{
		"smtp":        "smtp: server does not offer STARTTLS (EHLO reply:",
		"submission":  "submission: server does not offer STARTTLS (EHLO reply:",
		"imap":        "imap: server does not offer STARTTLS (capabilities:",
		"pop3":        "pop3: server does not offer STARTTLS: STLS answered \"-ERR",
		"ftp":         "ftp: server does not offer STARTTLS: AUTH TLS answered \"504",
		"xmpp":        "xmpp: server does not offer STARTTLS (stream features: \"mechanisms\")",
		"xmpp-server": "xmpp-server: server does not offer STARTTLS (stream features: \"mechanisms\")",
		"ldap":        "ldap: server refused the upgrade: StartTLS answered resultCode 2",
		"postgres":    "postgres: server does not offer STARTTLS (the server answered N to SSLRequest",
		"mysql":       "mysql: server does not offer STARTTLS (server \"8.0.36-tlsaudit-fake\" has no CLIENT_SSL",
		"nntp":        "nntp: server does not offer STARTTLS: STARTTLS answered \"502",
		"sieve":       "sieve: server does not offer STARTTLS (capabilities:",
	}
	for _, pr := range tlstest.StartTLSProtocols {
		t.Run(pr, func(t *testing.T) {
			t.Parallel()
			srv := tlstest.NewStartTLSServerT(t, pr, nil, tlstest.StartTLSRefuse())
			o := scanStartTLS(t, srv, pr)
			if o.Status != obs.StatusStartTLSError {
				t.Fatalf("status %s (%s), want starttls_error", o.Status, o.Error)
			}
			if !strings.Contains(o.Error, wantText[pr]) || !strings.Contains(o.Error, "STARTTLS with "+srv.Addr) {
				t.Errorf("error %q\nwant it to contain %q", o.Error, wantText[pr])
			}
			if len(o.Chains) > 0 || o.Handshake != nil {
				t.Errorf("TLS data recorded although no connection was upgraded")
			}
		})
	}
}

// TestStartTLSWrongProtocol: an SMTP upgrade against a plain TLS server
// (which waits for a ClientHello and sends no greeting) times out as a
// STARTTLS error, and an IMAP upgrade against an SMTP server names what
// the server said.
func TestStartTLSWrongProtocol(t *testing.T) {
	t.Parallel()
	smtp := tlstest.NewStartTLSServerT(t, "smtp", nil)
	s := New(Options{ConnTimeout: 2 * time.Second, Timeout: 30 * time.Second, PerHost: 4})
	o := s.Scan(context.Background(), Target{Host: smtp.Host, Port: smtp.Port, SNI: smtp.Name, StartTLS: "imap"})
	if o.Status != obs.StatusStartTLSError || !strings.Contains(o.Error, `imap: server refused the upgrade: unexpected greeting: "220-`) {
		t.Errorf("imap against smtp: status %s, error %q", o.Status, o.Error)
	}

	goSrv, err := tlstest.NewGoServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer goSrv.Close()
	o = s.Scan(context.Background(), Target{Host: goSrv.Host, Port: goSrv.Port, SNI: goSrv.Name, StartTLS: "smtp"})
	if o.Status != obs.StatusStartTLSError || !strings.Contains(o.Error, "smtp: reading greeting:") || !strings.Contains(o.Error, "timeout") {
		t.Errorf("smtp against a TLS server: status %s, error %q", o.Status, o.Error)
	}
}

// TestStartTLSPostgres audits a real PostgreSQL server with ssl = on
// through its SSLRequest upgrade, and one with ssl = off.
func TestStartTLSPostgres(t *testing.T) {
	srv := tlstest.StartPostgresT(t, tlstest.PostgresOptions{})
	o := scanStartTLS(t, srv, "postgres")
	if o.Status != obs.StatusOK {
		t.Fatalf("status %s: %s\nserver output: %s", o.Status, o.Error, srv.Output())
	}
	for _, p := range o.Protocols {
		// PostgreSQL 12+ defaults to ssl_min_protocol_version = TLSv1.2.
		want := p.Name == "TLSv1.2" || p.Name == "TLSv1.3"
		if p.Supported != want {
			t.Errorf("%s supported = %v, want %v (error %q)", p.Name, p.Supported, want, p.Error)
		}
	}
	if len(proto12(o).Suites) == 0 || len(proto(o, "TLSv1.3").Suites) == 0 {
		t.Errorf("no suites recorded: %+v", o.Protocols)
	}
	if len(o.Chains) == 0 || string(o.Chains[0].Certificates[0].DER) != string(srv.CertDER) {
		t.Errorf("the served leaf was not captured")
	}
	for _, e := range o.Errors {
		t.Errorf("probe error: %s: %s", e.Probe, e.Error)
	}

	off := tlstest.StartPostgresT(t, tlstest.PostgresOptions{SSLOff: true})
	o = scanStartTLS(t, off, "postgres")
	if o.Status != obs.StatusStartTLSError || !strings.Contains(o.Error, "postgres: server does not offer STARTTLS (the server answered N to SSLRequest") {
		t.Errorf("ssl = off: status %s, error %q", o.Status, o.Error)
	}
}
