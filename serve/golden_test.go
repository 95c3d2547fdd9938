package serve

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// volatile are the fields that differ from run to run (times, ports).
var volatile = map[string]bool{
	"startTime": true, "testTime": true, "hostStartTime": true, "duration": true, "cacheExpiryTime": true,
	"notBefore": true, "notAfter": true, "raw": true, "serialNumber": true, "port": true,
	"sha1Hash": true, "pinSha256": true, "dhPrimes": true, "requestUrl": true,
}

var hexID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// normalize replaces volatile values by placeholders, and every SHA-256 id
// (certificates, chains: new keys each run) by a label in order of first
// appearance, so that references between objects stay checked.
func normalize(v any, ids map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if volatile[k] {
				x[k] = "<" + k + ">"
				continue
			}
			x[k] = normalize(x[k], ids)
		}
		return x
	case []any:
		for i := range x {
			x[i] = normalize(x[i], ids)
		}
		return x
	case string:
		if hexID.MatchString(x) {
			if _, ok := ids[x]; !ok {
				ids[x] = fmt.Sprintf("<id-%d>", len(ids)+1)
			}
			return ids[x]
		}
		return x
	}
	return v
}

// labelIDs assigns the labels in document order: certificates first (the
// Host's certs), so that the labels do not depend on map order.
func labelIDs(doc map[string]any) map[string]string {
	ids := map[string]string{}
	if certs, ok := doc["certs"].([]any); ok {
		for _, c := range certs {
			if m, ok := c.(map[string]any); ok {
				if id, ok := m["id"].(string); ok {
					normalize(id, ids)
				}
			}
		}
	}
	return ids
}

func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	normalize(doc, labelIDs(doc))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -update after checking the change)", name, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: %d lines, want %d", name, len(gl), len(wl))
	}
}

// goldenServers are a modern and a legacy loopback server, each with its
// test CA as a trust store named "custom".
func goldenCase(t *testing.T, legacy bool) (addr string, stores []checks.TrustStore) {
	t.Helper()
	var srv *tlstest.Server
	if legacy {
		srv = tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{
			MinProtocol: "TLSv1", MaxProtocol: "TLSv1.2",
			Ciphers:    "AES128-SHA:DHE-RSA-AES128-SHA:DES-CBC3-SHA:ECDHE-RSA-AES128-SHA",
			ServerPref: true, DHParamBits: 1024,
		})
	} else {
		var err error
		srv, err = tlstest.NewGoServer(nil, tlstest.GoECDSACert(), tlstest.GoHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
	}
	return fmt.Sprintf("%s:%d", tlstest.DefaultName, srv.Port), []checks.TrustStore{truststore.Mozilla(), {Name: "custom", Roots: [][]byte{srv.PKI.RootDER}}}
}

func TestSSLLabsObjectsMatchGoldenForModernAndLegacyServers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		legacy bool
	}{{"modern", false}, {"legacy", true}} {
		t.Run(tc.name, func(t *testing.T) {
			addr, stores := goldenCase(t, tc.legacy)
			ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Audit: pipelineAuditor(t, stores), Policy: mustAllow(t, "127.0.0.1"),
				Resolver: fakeResolver{tlstest.DefaultName: {netip.MustParseAddr("127.0.0.1")}},
				Stores:   func() []truststore.Store { return stores }})
			c := &labsClient{t: t, api: ts.URL + "/api/v3", interval: 100 * time.Millisecond}
			h, body := c.assess(addr, false)
			if h.Status != "READY" {
				t.Fatalf("%s: %s %q", tc.name, h.Status, h.StatusMessage)
			}
			decodesAsClient(t, body)
			checkGolden(t, tc.name+".v3.json", body)
			c4 := &labsClient{t: t, api: ts.URL + "/api/v4", email: "ops@example.org", interval: 100 * time.Millisecond}
			_, body4 := c4.assess(addr, true)
			decodesAsClient(t, body4)
			checkGolden(t, tc.name+".v4.json", body4)
			code, _, ep := get(t, ts.URL+"/api/v3/getEndpointData?host="+addr+"&s=127.0.0.1")
			if code != 200 {
				t.Fatalf("getEndpointData: %d %s", code, ep)
			}
			checkGolden(t, tc.name+".endpoint.v3.json", ep)
		})
	}
}

// clientHost has the Go types a client decoding the documented objects
// strictly by type needs (ids of certificates and chains are strings, DH
// and named-group fields numbers, HSTS directives a name→value object, HPKP
// directives name/value pairs, preferences booleans): a response must
// decode into it without a type error, as Qualys' ssllabs-scan decodes it.
type clientHost struct {
	Host            string
	Port            int
	Status          string
	StartTime       int64
	TestTime        int64
	EngineVersion   string
	CriteriaVersion string
	CertHostnames   []string
	Certs           []struct {
		ID                                                                  string
		Subject                                                             string
		CommonNames, AltNames, CrlURIs, OcspURIs                            []string
		NotBefore, NotAfter                                                 int64
		RevocationInfo, RevocationStatus, Issues, KeySize, KeyStrength, Sgc int
		Sha1Hash, PinSha256, KeyAlg, Raw, SigAlg, ValidationType            string
		Sct, MustStaple, DNSCaa, KeyKnownDebianInsecure                     bool
	}
	Endpoints []struct {
		IPAddress, StatusMessage, Grade, GradeTrustIgnored string
		HasWarnings, IsExceptional                         bool
		Progress, Duration, Eta, Delegation                int
		Details                                            struct {
			HostStartTime int64
			CertChains    []struct {
				ID         string
				CertIDs    []string
				TrustPaths []struct {
					CertIDs []string
					Trust   []struct {
						RootStore         string
						IsTrusted         bool
						TrustErrorMessage string
					}
				}
				Issues int
				NoSni  bool
			}
			Protocols []struct {
				ID               int
				Name, Version    string
				V2SuitesDisabled bool
				Q                int
			}
			Suites []struct {
				Protocol int
				List     []struct {
					ID                                                                  int
					Name, KxType, NamedGroupName                                        string
					CipherStrength, KxStrength, DhBits, NamedGroupBits, NamedGroupID, Q int
				}
				Preference bool
			}
			NamedGroups struct {
				List []struct {
					ID   int
					Name string
					Bits int
				}
				Preference bool
			}
			RenegSupport, SessionResumption, CompressionMethods, SessionTickets, ForwardSecrecy, ProtocolIntolerance, MiscIntolerance int
			OpenSslCcs, OpenSSLLuckyMinus20, Ticketbleed, Bleichenbacher, PoodleTLS, HasSct, DhUsesKnownPrimes, HTTPStatusCode        int
			ZombiePoodle, GoldenDoodle, ZeroLengthPaddingOracle, SleepingPoodle                                                       int
			Heartbleed, Heartbeat, Poodle, FallbackScsv, Freak, Logjam, VulnBeast, SupportsRc4, Rc4Only, Rc4WithModern, OcspStapling  bool
			DrownVulnerable, DhYsReuse, EcdhParameterReuse, ChaCha20Preference, SupportsAlpn, SupportsNpn                             bool
			DhPrimes                                                                                                                  []string
			Sims                                                                                                                      struct {
				Results []struct {
					Client struct {
						ID            int
						Name, Version string
						IsReference   bool
					}
					ErrorCode, Attempts, ProtocolID, SuiteID, KxStrength, DhBits, NamedGroupBits, NamedGroupID, KeySize int
					ErrorMessage, CertChainID, SuiteName, KxType, NamedGroupName, KeyAlg, SigAlg                        string
				}
			}
			HstsPolicy struct {
				LongMaxAge        int64 `json:"LONG_MAX_AGE"`
				Header, Status    string
				MaxAge            int64
				IncludeSubDomains bool
				Preload           bool
				Directives        map[string]string
			}
			HpkpPolicy, HpkpRoPolicy struct {
				Status     string
				MaxAge     int64
				Pins       []struct{ HashFunction, Value string }
				Directives []struct{ Name, Value string }
			}
			HTTPTransactions []struct {
				RequestURL      string
				StatusCode      int
				ResponseHeaders []struct{ Name, Value string }
			}
		}
	}
}

// decodesAsClient checks that body decodes with the client's types.
func decodesAsClient(t *testing.T, body []byte) {
	t.Helper()
	var h clientHost
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatalf("a client decoding the documented types fails: %v", err)
	}
	if h.Status != "READY" || len(h.Endpoints) == 0 || h.Endpoints[0].Grade == "" || len(h.Endpoints[0].Details.Sims.Results) == 0 {
		t.Fatalf("decoded host incomplete: %+v", h)
	}
}
