package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func TestClientSimulationTable(t *testing.T) {
	o := &obs.Observation{Status: obs.StatusOK, ClientSimulations: []obs.ClientSimulation{
		{Client: "Chromium 156", Reference: true, OK: true, Protocol: "TLSv1.3", Suite: "TLS_AES_128_GCM_SHA256",
			Group: "X25519MLKEM768", ForwardSecrecy: true, HelloRetry: true},
		{Client: "OpenSSL TLS 1.0", OK: true, Protocol: "TLSv1.0", Suite: "TLS_RSA_WITH_AES_128_CBC_SHA"},
		{Client: "Java 17", Reference: true, Error: "no common protocol (alert:protocol_version)"},
	}}
	r := &Report{Observation: o, Status: obs.StatusOK, Grade: &grade.Grade{Letter: "B", Semantics: grade.Negotiated}}
	var b bytes.Buffer
	if err := renderText(&b, r, Style{Color: true, Width: 100, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Handshake simulation\x1b[0m\n  the grade judges RC4, 3DES, FS and AEAD by what the * reference clients negotiate\n",
		"Chromium 156 *", "X25519MLKEM768 (HRR)", "TLS_RSA_WITH_AES_128_CBC_SHA",
		"\x1b[31mfails\x1b[0m", "no common protocol", "(alert:protocol_version)", "\x1b[33mno\x1b[0m",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"client_simulations":[{"client":"Chromium 156"`) || !strings.Contains(string(js), `"semantics":"negotiated"`) {
		t.Errorf("JSON lacks the simulations or the semantics: %s", js)
	}
}
