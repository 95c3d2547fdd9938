package serve

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"sort"
	"strconv"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	chttp "github.com/tlsaudit/tlsaudit/checks/http"
	"github.com/tlsaudit/tlsaudit/checks/strength"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// The SSL Labs API objects, with the field names and types of Qualys' API
// documents (ssllabs-api-docs-v3.md, -v4.md). They are computed from the
// stored tlsaudit report; what tlsaudit knows beyond these fields is in the
// native API, never added here.

// Host is the SSL Labs Host object.
type Host struct {
	Host            string     `json:"host"`
	Port            int        `json:"port"`
	Protocol        string     `json:"protocol"`
	IsPublic        bool       `json:"isPublic"`
	Status          string     `json:"status"`
	StatusMessage   string     `json:"statusMessage,omitempty"`
	StartTime       int64      `json:"startTime"`
	TestTime        int64      `json:"testTime,omitempty"`
	EngineVersion   string     `json:"engineVersion"`
	CriteriaVersion string     `json:"criteriaVersion"`
	CacheExpiryTime int64      `json:"cacheExpiryTime,omitempty"`
	CertHostnames   []string   `json:"certHostnames,omitempty"`
	Endpoints       []Endpoint `json:"endpoints,omitempty"`
	Certs           []Cert     `json:"certs,omitempty"`
}

// Endpoint is the SSL Labs Endpoint object.
type Endpoint struct {
	IPAddress            string           `json:"ipAddress"`
	ServerName           string           `json:"serverName,omitempty"`
	StatusMessage        string           `json:"statusMessage"`
	StatusDetails        string           `json:"statusDetails,omitempty"`
	StatusDetailsMessage string           `json:"statusDetailsMessage,omitempty"`
	Grade                string           `json:"grade,omitempty"`
	GradeTrustIgnored    string           `json:"gradeTrustIgnored,omitempty"`
	HasWarnings          bool             `json:"hasWarnings"`
	IsExceptional        bool             `json:"isExceptional"`
	Progress             int              `json:"progress"`
	Duration             int64            `json:"duration,omitempty"`
	ETA                  int              `json:"eta"`
	Delegation           int              `json:"delegation"`
	Details              *EndpointDetails `json:"details,omitempty"`
}

// EndpointDetails is the SSL Labs EndpointDetails object.
type EndpointDetails struct {
	HostStartTime       int64            `json:"hostStartTime"`
	CertChains          []CertChain      `json:"certChains"`
	Protocols           []Protocol       `json:"protocols"`
	Suites              []ProtocolSuites `json:"suites"`
	NamedGroups         *NamedGroups     `json:"namedGroups,omitempty"`
	ServerSignature     string           `json:"serverSignature,omitempty"`
	PrefixDelegation    bool             `json:"prefixDelegation"`
	NonPrefixDelegation bool             `json:"nonPrefixDelegation"`
	VulnBeast           bool             `json:"vulnBeast"`
	RenegSupport        int              `json:"renegSupport"`
	SessionResumption   int              `json:"sessionResumption"`
	CompressionMethods  int              `json:"compressionMethods"`
	SupportsNpn         bool             `json:"supportsNpn"`
	SupportsAlpn        bool             `json:"supportsAlpn"`
	AlpnProtocols       string           `json:"alpnProtocols,omitempty"`
	SessionTickets      int              `json:"sessionTickets"`
	OcspStapling        bool             `json:"ocspStapling"`
	StaplingRevocation  int              `json:"staplingRevocationStatus,omitempty"`
	StaplingError       string           `json:"staplingRevocationErrorMessage,omitempty"`
	SniRequired         bool             `json:"sniRequired"`
	HTTPStatusCode      int              `json:"httpStatusCode,omitempty"`
	HTTPForwarding      string           `json:"httpForwarding,omitempty"`
	SupportsRc4         bool             `json:"supportsRc4"`
	Rc4WithModern       bool             `json:"rc4WithModern"`
	Rc4Only             bool             `json:"rc4Only"`
	ForwardSecrecy      int              `json:"forwardSecrecy"`
	SupportsAead        bool             `json:"supportsAead"`
	SupportsCBC         bool             `json:"supportsCBC"`
	ProtocolIntolerance int              `json:"protocolIntolerance"`
	MiscIntolerance     int              `json:"miscIntolerance"`
	Sims                SimDetails       `json:"sims"`
	Heartbleed          bool             `json:"heartbleed"`
	Heartbeat           bool             `json:"heartbeat"`
	OpenSslCcs          int              `json:"openSslCcs"`
	OpenSSLLuckyMinus20 int              `json:"openSSLLuckyMinus20"`
	Ticketbleed         int              `json:"ticketbleed"`
	Bleichenbacher      int              `json:"bleichenbacher"`
	ZombiePoodle        int              `json:"zombiePoodle"`
	GoldenDoodle        int              `json:"goldenDoodle"`
	ZeroLengthPadding   int              `json:"zeroLengthPaddingOracle"`
	SleepingPoodle      int              `json:"sleepingPoodle"`
	Poodle              bool             `json:"poodle"`
	PoodleTLS           int              `json:"poodleTls"`
	FallbackScsv        *bool            `json:"fallbackScsv,omitempty"`
	Freak               bool             `json:"freak"`
	HasSct              int              `json:"hasSct"`
	DhPrimes            []string         `json:"dhPrimes,omitempty"`
	DhUsesKnownPrimes   *int             `json:"dhUsesKnownPrimes,omitempty"`
	DhYsReuse           *bool            `json:"dhYsReuse,omitempty"`
	EcdhParameterReuse  bool             `json:"ecdhParameterReuse"`
	Logjam              bool             `json:"logjam"`
	ChaCha20Preference  bool             `json:"chaCha20Preference"`
	HstsPolicy          HstsPolicy       `json:"hstsPolicy"`
	HstsPreloads        []HstsPreload    `json:"hstsPreloads"`
	HpkpPolicy          HpkpPolicy       `json:"hpkpPolicy"`
	HpkpRoPolicy        HpkpPolicy       `json:"hpkpRoPolicy"`
	StaticPkpPolicy     StaticPkpPolicy  `json:"staticPkpPolicy"`
	HTTPTransactions    []HTTPTx         `json:"httpTransactions"`
	DrownHosts          []DrownHost      `json:"drownHosts"`
	DrownErrors         bool             `json:"drownErrors"`
	DrownVulnerable     bool             `json:"drownVulnerable"`
	// ImplementsTLS13MandatoryCS: TLS_AES_128_GCM_SHA256 is offered;
	// absent (null) when TLS 1.3 is not supported.
	ImplementsTLS13MandatoryCS *bool `json:"implementsTLS13MandatoryCS,omitempty"`
	// ZeroRTTEnabled: -2 test failed, -1 not performed, 0 not enabled, 1
	// enabled.
	ZeroRTTEnabled int `json:"zeroRTTEnabled"`
}

// StaticPkpPolicy is the SSL Labs staticPkpPolicy object (static pins of a
// browser preload list; none is consulted: status "unknown", as the API
// documents for a preload list that is not available).
type StaticPkpPolicy struct {
	Status               string    `json:"status"`
	IncludeSubDomains    bool      `json:"includeSubDomains"`
	Pins                 []HpkpPin `json:"pins"`
	MatchedPins          []HpkpPin `json:"matchedPins"`
	ForbiddenPins        []HpkpPin `json:"forbiddenPins"`
	MatchedForbiddenPins []HpkpPin `json:"matchedForbiddenPins"`
}

// CertChain is the SSL Labs CertificateChain object.
type CertChain struct {
	ID         string      `json:"id"`
	CertIDs    []string    `json:"certIds"`
	TrustPaths []TrustPath `json:"trustPaths"`
	Issues     int         `json:"issues"`
	NoSni      bool        `json:"noSni"`
}

// TrustPath is the SSL Labs trustPath object.
type TrustPath struct {
	CertIDs       []string `json:"certIds"`
	Trust         []Trust  `json:"trust"`
	IsPinned      bool     `json:"isPinned"`
	MatchedPins   int      `json:"matchedPins"`
	UnmatchedPins int      `json:"unMatchedPins"`
}

// Trust is the SSL Labs trust object.
type Trust struct {
	RootStore         string  `json:"rootStore"`
	IsTrusted         bool    `json:"isTrusted"`
	TrustErrorMessage *string `json:"trustErrorMessage"`
}

// Protocol is the SSL Labs Protocol object.
type Protocol struct {
	ID               int    `json:"id"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	V2SuitesDisabled bool   `json:"v2SuitesDisabled,omitempty"`
	Q                *int   `json:"q,omitempty"`
}

// ProtocolSuites is the SSL Labs ProtocolSuites object.
type ProtocolSuites struct {
	Protocol   int     `json:"protocol"`
	List       []Suite `json:"list"`
	Preference *bool   `json:"preference,omitempty"`
}

// Suite is the SSL Labs Suite object.
type Suite struct {
	ID             int    `json:"id"`
	Name           string `json:"name"`
	CipherStrength int    `json:"cipherStrength"`
	KxType         string `json:"kxType,omitempty"`
	KxStrength     int    `json:"kxStrength,omitempty"`
	DhBits         int    `json:"dhBits,omitempty"`
	NamedGroupBits int    `json:"namedGroupBits,omitempty"`
	NamedGroupID   int    `json:"namedGroupId,omitempty"`
	NamedGroupName string `json:"namedGroupName,omitempty"`
	Q              *int   `json:"q,omitempty"`
}

// NamedGroups is the SSL Labs NamedGroups object.
type NamedGroups struct {
	List       []NamedGroup `json:"list"`
	Preference *bool        `json:"preference,omitempty"`
}

// NamedGroup is the SSL Labs NamedGroup object.
type NamedGroup struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Bits int    `json:"bits"`
}

// SimDetails is the SSL Labs SimDetails object.
type SimDetails struct {
	Results []Simulation `json:"results"`
}

// Simulation is the SSL Labs Simulation object.
type Simulation struct {
	Client         SimClient `json:"client"`
	ErrorCode      int       `json:"errorCode"`
	ErrorMessage   string    `json:"errorMessage,omitempty"`
	Attempts       int       `json:"attempts"`
	CertChainID    string    `json:"certChainId,omitempty"`
	ProtocolID     int       `json:"protocolId,omitempty"`
	SuiteID        int       `json:"suiteId,omitempty"`
	SuiteName      string    `json:"suiteName,omitempty"`
	KxType         string    `json:"kxType,omitempty"`
	KxStrength     int       `json:"kxStrength,omitempty"`
	DhBits         int       `json:"dhBits,omitempty"`
	NamedGroupBits int       `json:"namedGroupBits,omitempty"`
	NamedGroupID   int       `json:"namedGroupId,omitempty"`
	NamedGroupName string    `json:"namedGroupName,omitempty"`
	KeyAlg         string    `json:"keyAlg,omitempty"`
	KeySize        int       `json:"keySize,omitempty"`
	SigAlg         string    `json:"sigAlg,omitempty"`
}

// SimClient is the SSL Labs SimClient object.
type SimClient struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Platform    string `json:"platform,omitempty"`
	Version     string `json:"version"`
	IsReference bool   `json:"isReference"`
}

// HstsPolicy is the SSL Labs HstsPolicy object.
type HstsPolicy struct {
	LongMaxAge        int64             `json:"LONG_MAX_AGE"`
	Header            string            `json:"header,omitempty"`
	Status            string            `json:"status"`
	Error             string            `json:"error,omitempty"`
	MaxAge            *int64            `json:"maxAge,omitempty"`
	IncludeSubDomains bool              `json:"includeSubDomains,omitempty"`
	Preload           bool              `json:"preload,omitempty"`
	Directives        map[string]string `json:"directives"`
}

// HstsPreload is the SSL Labs HstsPreload object (no preload list is
// consulted: the list is always empty).
type HstsPreload struct {
	Source     string `json:"source"`
	Hostname   string `json:"hostname"`
	Status     string `json:"status"`
	SourceTime int64  `json:"sourceTime"`
}

// HpkpPolicy is the SSL Labs HpkpPolicy object.
type HpkpPolicy struct {
	Header            string          `json:"header,omitempty"`
	Status            string          `json:"status"`
	Error             string          `json:"error,omitempty"`
	MaxAge            int64           `json:"maxAge,omitempty"`
	IncludeSubDomains bool            `json:"includeSubDomains,omitempty"`
	ReportURI         string          `json:"reportUri,omitempty"`
	Pins              []HpkpPin       `json:"pins"`
	MatchedPins       []HpkpPin       `json:"matchedPins"`
	Directives        []HpkpDirective `json:"directives"`
}

// HpkpPin is one HPKP pin.
type HpkpPin struct {
	HashFunction string `json:"hashFunction"`
	Value        string `json:"value"`
}

// HpkpDirective is one HPKP directive.
type HpkpDirective struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HTTPTx is the SSL Labs HttpTransaction object.
type HTTPTx struct {
	RequestURL      string       `json:"requestUrl"`
	StatusCode      int          `json:"statusCode"`
	RequestLine     string       `json:"requestLine"`
	ResponseLine    string       `json:"responseLine,omitempty"`
	ResponseHeaders []HTTPHeader `json:"responseHeaders"`
	FragileServer   bool         `json:"fragileServer"`
}

// HTTPHeader is one HTTP header.
type HTTPHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DrownHost is the SSL Labs DrownHosts object (other hosts sharing the key
// are not searched: the list is always empty).
type DrownHost struct {
	IP     string `json:"ip"`
	Port   int    `json:"port"`
	Status string `json:"status"`
}

// Cert is the SSL Labs Cert object.
type Cert struct {
	ID                     string     `json:"id"`
	Subject                string     `json:"subject"`
	SerialNumber           string     `json:"serialNumber,omitempty"`
	CommonNames            []string   `json:"commonNames"`
	AltNames               []string   `json:"altNames,omitempty"`
	NotBefore              int64      `json:"notBefore"`
	NotAfter               int64      `json:"notAfter"`
	IssuerSubject          string     `json:"issuerSubject"`
	SigAlg                 string     `json:"sigAlg"`
	RevocationInfo         int        `json:"revocationInfo"`
	CrlURIs                []string   `json:"crlURIs,omitempty"`
	OcspURIs               []string   `json:"ocspURIs,omitempty"`
	RevocationStatus       int        `json:"revocationStatus"`
	CrlRevocationStatus    int        `json:"crlRevocationStatus"`
	OcspRevocationStatus   int        `json:"ocspRevocationStatus"`
	DNSCaa                 bool       `json:"dnsCaa"`
	CaaPolicy              *CaaPolicy `json:"caaPolicy,omitempty"`
	MustStaple             bool       `json:"mustStaple"`
	Sgc                    int        `json:"sgc"`
	ValidationType         string     `json:"validationType,omitempty"`
	Issues                 int        `json:"issues"`
	Sct                    bool       `json:"sct"`
	SHA1Hash               string     `json:"sha1Hash"`
	SHA256Hash             string     `json:"sha256Hash"`
	PinSHA256              string     `json:"pinSha256"`
	KeyAlg                 string     `json:"keyAlg"`
	KeySize                int        `json:"keySize"`
	KeyStrength            int        `json:"keyStrength"`
	KeyKnownDebianInsecure bool       `json:"keyKnownDebianInsecure"`
	Raw                    string     `json:"raw"`
}

// CaaPolicy is the SSL Labs CaaPolicy object: the CAA record set that
// applies to the host and the name it was found at.
type CaaPolicy struct {
	PolicyHostname string      `json:"policyHostname"`
	CaaRecords     []CaaRecord `json:"caaRecords"`
}

// CaaRecord is one CAA record.
type CaaRecord struct {
	Tag   string `json:"tag"`
	Value string `json:"value"`
	Flags int    `json:"flags"`
}

func intp(v int) *int    { return &v }
func boolp(v bool) *bool { return &v }

// finding returns the status of the first finding of a check ("" when the
// check did not report).
func finding(r *report.Report, id string) checks.Status {
	for _, f := range r.Findings {
		if f.CheckID == id {
			return f.Status
		}
	}
	return ""
}

func failed(r *report.Report, id string) bool { return finding(r, id) == checks.StatusFail }

// tri maps a check to the SSL Labs test codes: vulnerable → vuln, passed
// or not applicable → 1 (not vulnerable), errors → -1, not run → 0.
func tri(r *report.Report, id string, vuln int) int {
	switch finding(r, id) {
	case checks.StatusFail:
		return vuln
	case checks.StatusPass, checks.StatusNotApplicable:
		return 1
	case "":
		return 0
	default:
		return -1
	}
}

// protoID maps a tlsaudit protocol name to the SSL Labs protocol id, name
// and version.
func protoID(name string) (id int, pname, version string) {
	v, ok := registry.ParseVersion(name)
	switch {
	case !ok:
		return 0, "", ""
	case v == registry.VersionSSL2:
		return 0x0200, "SSL", "2.0" // SSL Labs numbers SSLv2 by its major.minor
	case v == registry.VersionSSL3:
		return int(v), "SSL", "3.0"
	}
	return int(v), "TLS", "1." + strconv.Itoa(int(v-registry.VersionTLS10))
}

// rsaEquivalent is the RSA-equivalent strength of an elliptic curve or
// finite-field group of bits (NIST SP 800-57 Part 1 table 2).
func rsaEquivalent(kind string, bits int) int {
	if kind == "DHE" || kind == "RSA" || kind == "DH" {
		return bits
	}
	switch { // x25519 counts 253 bits, X448 448, P-521 521
	case bits >= 500:
		return 15360
	case bits >= 380:
		return 7680
	case bits >= 250:
		return 3072
	case bits >= 220:
		return 2048
	case bits > 0:
		return 1024
	}
	return 0
}

func groupID(name string) int {
	for _, g := range registry.Groups() {
		if g.Name == name {
			return int(g.ID)
		}
	}
	return 0
}

// sslLabsGrade splits a tlsaudit grade into grade and gradeTrustIgnored.
func sslLabsGrade(r *report.Report) (g, trustIgnored string, warnings, exceptional bool) {
	if r.Grade == nil || r.Grade.Letter == "" {
		return "", "", false, false
	}
	g = string(r.Grade.Letter)
	trustIgnored = string(r.Grade.TrustIgnored)
	if trustIgnored == "" {
		trustIgnored = g
	}
	return g, trustIgnored, len(r.Grade.Warnings) > 0, g == "A+"
}

// certFacts is what the Cert object needs of one certificate.
func certObject(c obs.Certificate, leaf *certanalysis.LeafFacts, issues int, scts bool) Cert {
	out := Cert{
		ID: c.SHA256, SHA256Hash: c.SHA256, Subject: c.Subject, IssuerSubject: c.Issuer,
		NotBefore: c.NotBefore.UnixMilli(), NotAfter: c.NotAfter.UnixMilli(),
		SigAlg: c.SigAlg, KeyAlg: c.KeyType, KeySize: c.KeyBits, SerialNumber: c.Serial,
		CommonNames: []string{}, AltNames: c.DNSNames, Issues: issues, Sct: scts,
	}
	s1 := sha1.Sum(c.DER)
	out.SHA1Hash = hex.EncodeToString(s1[:])
	out.Raw = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER}))
	out.KeyStrength = rsaEquivalent(map[bool]string{true: "RSA", false: "EC"}[c.KeyType == "RSA" || c.KeyType == "DSA"], c.KeyBits)
	if c.KeyType == "Ed25519" {
		out.KeyStrength = 3072
	}
	if x, err := x509.ParseCertificate(c.DER); err == nil {
		out.Subject = x.Subject.String()
		out.IssuerSubject = x.Issuer.String()
		if x.Subject.CommonName != "" {
			out.CommonNames = []string{x.Subject.CommonName}
		}
		out.SigAlg = javaSigAlg(x.SignatureAlgorithm)
		out.CrlURIs = x.CRLDistributionPoints
		out.OcspURIs = x.OCSPServer
		spki := sha256.Sum256(x.RawSubjectPublicKeyInfo)
		out.PinSHA256 = base64.StdEncoding.EncodeToString(spki[:])
		for _, ip := range x.IPAddresses {
			out.AltNames = append(out.AltNames, ip.String())
		}
	}
	if len(out.CrlURIs) > 0 {
		out.RevocationInfo |= 1
	}
	if len(out.OcspURIs) > 0 {
		out.RevocationInfo |= 2
	}
	if out.RevocationInfo == 0 {
		out.RevocationStatus = 4 // no revocation information
	}
	if leaf != nil {
		out.MustStaple = leaf.MustStaple
		if leaf.Validation == "EV" {
			out.ValidationType = "E"
		}
	}
	return out
}

// revocationCode is the SSL Labs revocation status of one OCSP or CRL
// result: 1 revoked, 2 not revoked, 3 check error.
func revocationCode(status string) int {
	switch status {
	case "revoked":
		return 1
	case "good":
		return 2
	}
	return 3
}

// certFromReport fills the Cert fields the report knows beyond the
// certificate itself: the Debian weak key verdict, the OCSP and CRL results
// (when the audit checked revocation) and, for the leaf, the host's CAA
// records (when the audit looked them up).
func certFromReport(out *Cert, r *report.Report, ca *certanalysis.ChainAnalysis, i int) {
	if ca == nil {
		return
	}
	if i < len(ca.Certificates) && ca.Certificates[i].Key.DebianWeak {
		out.KeyKnownDebianInsecure = true
		if i == 0 {
			out.Issues |= 512 // insecure key
		}
	}
	for _, rc := range ca.Revocation {
		if rc.Cert != out.ID {
			continue
		}
		switch rc.Method {
		case "ocsp":
			out.OcspRevocationStatus = revocationCode(rc.Status)
		case "crl":
			out.CrlRevocationStatus = revocationCode(rc.Status)
		}
	}
	if o, c := out.OcspRevocationStatus, out.CrlRevocationStatus; o != 0 || c != 0 {
		switch {
		case o == 1 || c == 1:
			out.RevocationStatus = 1
		case o == 2 || c == 2:
			out.RevocationStatus = 2
		default:
			out.RevocationStatus = 3
		}
	}
	if dns := r.Observation.DNS; i == 0 && dns != nil && len(dns.CAA) > 0 {
		out.DNSCaa = true
		out.CaaPolicy = &CaaPolicy{PolicyHostname: sanitize(dns.CAAName, 300), CaaRecords: []CaaRecord{}}
		for _, rec := range dns.CAA {
			out.CaaPolicy.CaaRecords = append(out.CaaPolicy.CaaRecords,
				CaaRecord{Tag: sanitize(rec.Tag, 100), Value: sanitize(rec.Value, 300), Flags: int(rec.Flag)})
		}
	}
}

// storeDisplay is how SSL Labs names trust stores.
func storeDisplay(name string) string {
	switch strings.ToLower(name) {
	case "mozilla":
		return "Mozilla"
	case "apple":
		return "Apple"
	case "android":
		return "Android"
	case "java":
		return "Java"
	case "windows":
		return "Windows"
	case "system":
		return "System"
	case "custom":
		return "Custom"
	}
	return name
}

// chainID is the id of a served chain: the SHA-256 of its certificates' ids.
func chainID(ids []string) string {
	h := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return hex.EncodeToString(h[:])
}

// hostCerts returns the Cert objects of every certificate served by the
// reports, in the order first seen, and the names they carry.
func hostCerts(reports []*report.Report) (certs []Cert, names []string) {
	seen := map[string]bool{}
	nameSeen := map[string]bool{}
	for _, r := range reports {
		if r.Observation == nil {
			continue
		}
		for _, ci := range chainOrder(r.Observation) {
			ch := r.Observation.Chains[ci]
			var ca *certanalysis.ChainAnalysis
			if r.Certificates != nil && ci < len(r.Certificates.Chains) {
				ca = &r.Certificates.Chains[ci]
			}
			for i, c := range ch.Certificates {
				if seen[c.SHA256] {
					continue
				}
				seen[c.SHA256] = true
				var leaf *certanalysis.LeafFacts
				issues, sct := 0, false
				if i == 0 && ca != nil {
					leaf = ca.Leaf
					issues = leafIssues(r, ca)
					for _, s := range ca.SCTs {
						if s.Source == "certificate" {
							sct = true
						}
					}
				}
				co := certObject(c, leaf, issues, sct)
				certFromReport(&co, r, ca, i)
				certs = append(certs, co)
				if i == 0 {
					for _, n := range c.DNSNames {
						if !nameSeen[n] {
							nameSeen[n] = true
							names = append(names, n)
						}
					}
				}
			}
		}
	}
	return certs, names
}

// leafIssues computes the Cert.issues bits of a leaf from the findings.
func leafIssues(r *report.Report, ca *certanalysis.ChainAnalysis) int {
	n := 0
	trusted := false
	for _, t := range ca.Trust {
		trusted = trusted || t.Trusted
	}
	if !trusted {
		n |= 1
	}
	if ca.Leaf != nil {
		if ca.Leaf.NotYetValid {
			n |= 2
		}
		if ca.Leaf.Expired {
			n |= 4
		}
		if !ca.Leaf.HostnameMatch {
			n |= 8
		}
	}
	if failed(r, checks.IDCertRevoked) {
		n |= 16
	}
	if failed(r, checks.IDCertSelfSigned) {
		n |= 64
	}
	if failed(r, checks.IDCertSymantecDistrusted) {
		n |= 128
	}
	if failed(r, checks.IDCertSHA1Signature) || failed(r, checks.IDCertMD5Signature) {
		n |= 256
	}
	return n
}

// certChains maps the served chains and their trust per store.
func certChains(r *report.Report) []CertChain {
	out := []CertChain{}
	if r.Observation == nil {
		return out
	}
	for _, ci := range chainOrder(r.Observation) {
		ch := r.Observation.Chains[ci]
		ids := make([]string, len(ch.Certificates))
		for i, c := range ch.Certificates {
			ids[i] = c.SHA256
		}
		cc := CertChain{ID: chainID(ids), CertIDs: ids, TrustPaths: []TrustPath{}}
		if r.Certificates != nil && ci < len(r.Certificates.Chains) {
			ca := r.Certificates.Chains[ci]
			q := ca.Quality
			if q.Incomplete {
				cc.Issues |= 2
			}
			if len(q.Extra) > 0 || len(q.Duplicates) > 0 {
				cc.Issues |= 4
			}
			if q.WrongOrder {
				cc.Issues |= 8
			}
			if len(q.RootSent) > 0 {
				cc.Issues |= 16
			}
			// One trustPath per distinct path; each lists the stores it
			// is (or is not) trusted by.
			index := map[string]int{}
			add := func(pathIDs []string, t Trust) {
				k := strings.Join(pathIDs, ",")
				i, ok := index[k]
				if !ok {
					i = len(cc.TrustPaths)
					index[k] = i
					cc.TrustPaths = append(cc.TrustPaths, TrustPath{CertIDs: pathIDs, Trust: []Trust{}})
				}
				cc.TrustPaths[i].Trust = append(cc.TrustPaths[i].Trust, t)
			}
			for _, st := range ca.Trust {
				var msg *string
				if !st.Trusted {
					m := st.Reason
					if m == "" {
						m = "not trusted"
					}
					m = sanitize(m, 300)
					msg = &m
				}
				if len(st.Paths) == 0 {
					add(ids, Trust{RootStore: storeDisplay(st.Store), IsTrusted: st.Trusted, TrustErrorMessage: msg})
					continue
				}
				for _, p := range st.Paths {
					pids := make([]string, len(p.Certs))
					for i, pc := range p.Certs {
						pids[i] = pc.SHA256
					}
					var pmsg *string
					if !p.Trusted {
						m := strings.Join(p.Problems, "; ")
						if m == "" && msg != nil {
							m = *msg
						}
						pmsg = &m
					}
					add(pids, Trust{RootStore: storeDisplay(st.Store), IsTrusted: p.Trusted, TrustErrorMessage: pmsg})
				}
			}
			trusted := false
			for _, st := range ca.Trust {
				trusted = trusted || st.Trusted
			}
			if !trusted && len(ch.Certificates) > 1 {
				cc.Issues |= 32
			}
		}
		out = append(out, cc)
	}
	return out
}

// details computes the EndpointDetails of one endpoint's report.
func details(r *report.Report, hostStart int64) *EndpointDetails {
	d := &EndpointDetails{
		HostStartTime: hostStart, CertChains: certChains(r), Protocols: []Protocol{}, Suites: []ProtocolSuites{},
		Sims: SimDetails{Results: []Simulation{}}, HstsPreloads: []HstsPreload{}, HTTPTransactions: []HTTPTx{},
		DrownHosts: []DrownHost{}, NonPrefixDelegation: true,
		HstsPolicy:   HstsPolicy{LongMaxAge: chttp.HSTSMinAPlus, Status: "unknown", Directives: map[string]string{}},
		HpkpPolicy:   HpkpPolicy{Status: "unknown", Pins: []HpkpPin{}, MatchedPins: []HpkpPin{}, Directives: []HpkpDirective{}},
		HpkpRoPolicy: HpkpPolicy{Status: "unknown", Pins: []HpkpPin{}, MatchedPins: []HpkpPin{}, Directives: []HpkpDirective{}},
		StaticPkpPolicy: StaticPkpPolicy{Status: "unknown", Pins: []HpkpPin{}, MatchedPins: []HpkpPin{},
			ForbiddenPins: []HpkpPin{}, MatchedForbiddenPins: []HpkpPin{}},
		ZeroRTTEnabled: -1,
	}
	o := r.Observation
	if o == nil {
		return d
	}
	supported := 0
	allRC4, anySuite := true, false
	for _, p := range o.Protocols {
		if !p.Supported {
			continue
		}
		supported++
		id, name, ver := protoID(p.Name)
		pv, _ := registry.ParseVersion(p.Name)
		pr := Protocol{ID: id, Name: name, Version: ver}
		if pv == registry.VersionSSL2 || pv == registry.VersionSSL3 {
			pr.Q = intp(0)
		}
		if pv == registry.VersionSSL2 && len(p.Suites) == 0 {
			pr.V2SuitesDisabled = true
		}
		d.Protocols = append(d.Protocols, pr)
		ps := ProtocolSuites{Protocol: id, List: []Suite{}, Preference: p.ServerOrder}
		for _, s := range p.Suites {
			anySuite = true
			su := Suite{ID: int(s.ID), Name: s.Name}
			rs, ok := registry.SuiteByID(s.ID)
			if pv == registry.VersionSSL2 {
				su.ID = int(s.ID24)
				rs, ok = registry.SSLv2SuiteByID(s.ID24)
			}
			if ok {
				su.CipherStrength = rs.Bits
				if !strings.HasPrefix(rs.Cipher, "RC4") {
					allRC4 = false
				} else {
					d.SupportsRc4 = true
				}
				if rs.AEAD {
					d.SupportsAead = true
				} else if rs.BlockBits > 0 {
					d.SupportsCBC = true
				}
			} else {
				allRC4 = false
			}
			if kx := s.KeyExchange; kx == nil || kx.Kind == "RSA" {
				if ok && rs.Kx == "RSA" {
					su.KxType, su.KxStrength = "RSA", rsaKeyBits(o)
				}
			} else {
				su.KxType = kx.Kind
				if kx.Kind == "ECDHE" || (kx.Group != "" && kx.Kind != "DHE") {
					su.KxType = "ECDH"
					su.NamedGroupBits, su.NamedGroupName, su.NamedGroupID = kx.Bits, kx.Group, groupID(kx.Group)
				} else if kx.Kind == "DHE" {
					su.KxType = "DH"
					su.DhBits = kx.Bits
				}
				su.KxStrength = rsaEquivalent(kx.Kind, kx.Bits)
			}
			if strength.Suite(p.Name, s) == strength.Insecure {
				su.Q = intp(0)
			}
			ps.List = append(ps.List, su)
		}
		if len(ps.List) > 0 || pv != registry.VersionSSL2 {
			d.Suites = append(d.Suites, ps)
		}
		if pv == registry.VersionTLS13 {
			mandatory := false
			for _, s := range p.Suites {
				mandatory = mandatory || s.ID == 0x1301 // TLS_AES_128_GCM_SHA256, RFC 8446 section 9.1
			}
			d.ImplementsTLS13MandatoryCS = &mandatory
		}
	}
	switch finding(r, checks.IDVulnEarlyData) {
	case checks.StatusFail: // tickets allow early data
		d.ZeroRTTEnabled = 1
	case checks.StatusPass:
		d.ZeroRTTEnabled = 0
	case checks.StatusNotApplicable, "": // no TLS 1.3, or not run
	default:
		d.ZeroRTTEnabled = -2
	}
	d.Rc4Only = anySuite && allRC4
	if g := o.Groups; g != nil {
		ng := &NamedGroups{List: []NamedGroup{}}
		seen := map[uint16]bool{}
		for _, list := range [][]obs.Group{g.TLS13, g.TLS12} {
			for _, x := range list {
				if !seen[x.ID] {
					seen[x.ID] = true
					ng.List = append(ng.List, NamedGroup{ID: int(x.ID), Name: x.Name, Bits: x.Bits})
				}
			}
		}
		ng.Preference = g.TLS13ServerOrder
		if ng.Preference == nil {
			ng.Preference = g.TLS12ServerOrder
		}
		d.NamedGroups = ng
	}
	d.VulnBeast = failed(r, checks.IDCipherCBCTLS10)
	// Renegotiation (RFC 5746) and resumption, as observed.
	secure := false
	if hs := o.Handshake; hs != nil && hs.SecureRenegotiation != nil && *hs.SecureRenegotiation {
		secure = true
	}
	if p := o.Probes; p != nil {
		if e := p.ServerHelloExtensions; e != nil && e.Status == obs.AttemptCompleted && e.SecureRenegotiation {
			secure = true
		}
		if rn := p.Renegotiation; rn != nil && rn.Status == obs.AttemptCompleted && rn.Completed > 0 {
			if secure {
				d.RenegSupport |= 4
			} else {
				d.RenegSupport |= 1
			}
		}
		if rs := p.Resumption; rs != nil && rs.Status == obs.AttemptCompleted {
			switch {
			case rs.SessionIDResumed != nil && *rs.SessionIDResumed:
				d.SessionResumption = 2
			case rs.SessionIDIssued:
				d.SessionResumption = 1
			}
			if rs.TicketIssued {
				d.SessionTickets |= 1
			}
		}
		if c := p.Compression; c != nil && c.Status == obs.AttemptCompleted && c.Method == 1 {
			d.CompressionMethods = 1
		}
		if h := p.Heartbleed; h != nil {
			d.Heartbeat = h.Extension
		}
		if it := p.Intolerance; it != nil && it.Status == obs.AttemptCompleted {
			for _, t := range it.Tests {
				if t.Accepted {
					continue
				}
				switch t.Name {
				case obs.VariantTLS13NoSV:
					d.ProtocolIntolerance |= 8
				case obs.VariantTLS14:
					d.ProtocolIntolerance |= 16
				case obs.VariantUnknownExt, obs.VariantGREASE:
					d.MiscIntolerance |= 1
				case obs.VariantLong300, obs.VariantLong1800:
					d.MiscIntolerance |= 2
				}
			}
		}
		if f := p.FallbackSCSV; f != nil && f.Status == obs.AttemptCompleted && supported > 1 {
			d.FallbackScsv = boolp(finding(r, checks.IDVulnNoFallbackSCSV) != checks.StatusFail)
		}
	}
	if secure {
		d.RenegSupport |= 2
	}
	if hs := o.Handshake; hs != nil {
		if hs.ALPN != "" {
			d.SupportsAlpn, d.AlpnProtocols = true, hs.ALPN
		}
		if hs.SessionTicket != nil && *hs.SessionTicket {
			d.SessionTickets |= 1
		}
	}
	for _, ch := range o.Chains {
		if len(ch.OCSPStaple) > 0 {
			d.OcspStapling = true
		}
		if len(ch.SCTs) > 0 {
			d.HasSct |= 4
		}
	}
	if r.Certificates != nil {
		for _, ca := range r.Certificates.Chains {
			for _, s := range ca.SCTs {
				switch s.Source {
				case "certificate":
					d.HasSct |= 1
				case "ocsp":
					d.HasSct |= 2
				}
			}
			if st := ca.Staple; st != nil && d.StaplingRevocation == 0 {
				switch st.Status {
				case "good":
					d.StaplingRevocation = 2
				case "revoked":
					d.StaplingRevocation = 1
				default:
					d.StaplingRevocation = 3
					d.StaplingError = sanitize(st.Error, 200)
				}
			}
		}
	}
	// Handshake simulation.
	chainOf := map[string]string{}
	keyOf := map[string]obs.Certificate{}
	for i, ci := range chainOrder(o) {
		if cc := d.CertChains[i]; len(cc.CertIDs) > 0 {
			chainOf[cc.CertIDs[0]] = cc.ID
			keyOf[cc.CertIDs[0]] = o.Chains[ci].Certificates[0]
		}
	}
	fsAny, fsRef, fsAll, okAny, refAny := false, true, true, false, false
	for i, cs := range o.ClientSimulations {
		name, version, _ := strings.Cut(cs.Client, " ")
		sim := Simulation{Client: SimClient{ID: i + 1, Name: name, Version: version, IsReference: cs.Reference}, Attempts: 1}
		if !cs.OK {
			sim.ErrorCode, sim.ErrorMessage = 1, sanitize(cs.Error, 200)
			if sim.ErrorMessage == "" {
				sim.ErrorMessage = "Protocol or cipher suite mismatch"
			}
		} else {
			okAny = true
			sim.ProtocolID, _, _ = protoID(cs.Protocol)
			sim.SuiteID, sim.SuiteName = int(cs.SuiteID), cs.Suite
			sim.KxType = cs.KeyExchange
			sim.KxStrength = rsaEquivalent(cs.KeyExchange, cs.Bits)
			if cs.KeyExchange == "DHE" {
				sim.DhBits = cs.Bits
			} else if cs.Group != "" {
				sim.NamedGroupBits, sim.NamedGroupName, sim.NamedGroupID = cs.Bits, cs.Group, groupID(cs.Group)
			}
			sim.CertChainID = chainOf[cs.LeafSHA256]
			if c, ok := keyOf[cs.LeafSHA256]; ok {
				sim.KeyAlg, sim.KeySize, sim.SigAlg = c.KeyType, c.KeyBits, c.SigAlg
				if x, err := x509.ParseCertificate(c.DER); err == nil {
					sim.SigAlg = javaSigAlg(x.SignatureAlgorithm)
				}
			}
			if sim.KxType == "RSA" {
				sim.KxStrength = sim.KeySize
			}
			fsAny = fsAny || cs.ForwardSecrecy
			fsAll = fsAll && cs.ForwardSecrecy
			if cs.Reference {
				refAny = true
				fsRef = fsRef && cs.ForwardSecrecy
				if strings.Contains(cs.Suite, "RC4") {
					d.Rc4WithModern = true
				}
			}
		}
		d.Sims.Results = append(d.Sims.Results, sim)
	}
	if fsAny {
		d.ForwardSecrecy |= 1
	}
	if refAny && fsRef {
		d.ForwardSecrecy |= 2
	}
	if okAny && fsAll {
		d.ForwardSecrecy |= 4
	}
	// Vulnerabilities, from the checks' verdicts.
	d.Heartbleed = failed(r, checks.IDVulnHeartbleed)
	d.OpenSslCcs = tri(r, checks.IDVulnCCSInjection, 3)
	d.OpenSSLLuckyMinus20 = tri(r, checks.IDVulnLuckyMinus20, 2)
	d.Ticketbleed = tri(r, checks.IDVulnTicketbleed, 2)
	d.Bleichenbacher = tri(r, checks.IDVulnROBOT, 3)
	d.ZombiePoodle = tri(r, checks.IDVulnZombiePoodle, 2)
	d.GoldenDoodle = tri(r, checks.IDVulnGoldenDoodle, 4)
	d.ZeroLengthPadding = tri(r, checks.IDVulnZeroLengthPaddingOracle, 6)
	d.SleepingPoodle = tri(r, checks.IDVulnSleepingPoodle, 10)
	d.Poodle = failed(r, checks.IDVulnPoodleSSLv3)
	d.PoodleTLS = tri(r, checks.IDVulnPoodleTLS, 2)
	d.Freak = failed(r, checks.IDCipherExport)
	d.Logjam = failed(r, checks.IDKxDHUnder1024)
	d.DrownVulnerable = failed(r, checks.IDVulnDROWN)
	if len(o.DH) > 0 {
		known := 0
		for _, p := range o.DH {
			d.DhPrimes = append(d.DhPrimes, p.Prime)
			if p.Known != "" && known == 0 {
				known = 1
			}
		}
		if known == 1 && failed(r, checks.IDKxDHCommonPrime) {
			known = 2
		}
		d.DhUsesKnownPrimes = intp(known)
		d.DhYsReuse = boolp(false)
	}
	// HTTP: status, server, HSTS, HPKP.
	if h := o.HTTP; h != nil && h.Attempt.Status == obs.AttemptCompleted {
		d.HTTPStatusCode = h.StatusCode
		if len(h.Server) > 0 {
			d.ServerSignature = sanitize(h.Server[0], 200)
		}
		if len(h.Location) > 0 && (h.StatusCode >= 300 && h.StatusCode < 400) {
			d.HTTPForwarding = sanitize(h.Location[0], 500)
		}
		tx := HTTPTx{RequestURL: sanitize(h.URL, 500), StatusCode: h.StatusCode, RequestLine: "GET / HTTP/1.1",
			ResponseLine: sanitize(h.Proto+" "+itoa(h.StatusCode)+" "+h.StatusText, 300), ResponseHeaders: []HTTPHeader{}}
		for _, hv := range [][2]any{{"Server", h.Server}, {"Strict-Transport-Security", h.StrictTransportSecurity}, {"Public-Key-Pins", h.PublicKeyPins}, {"Location", h.Location}} {
			for _, v := range hv[1].([]string) {
				tx.ResponseHeaders = append(tx.ResponseHeaders, HTTPHeader{Name: hv[0].(string), Value: sanitize(v, 500)})
			}
		}
		d.HTTPTransactions = append(d.HTTPTransactions, tx)
		d.HstsPolicy = hstsPolicy(h.StrictTransportSecurity)
		d.HpkpPolicy = hpkpPolicy(h.PublicKeyPins, false, r)
		d.HpkpRoPolicy = hpkpPolicy(h.PublicKeyPinsReportOnly, true, r)
	}
	return d
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func hstsPolicy(values []string) HstsPolicy {
	p := HstsPolicy{LongMaxAge: chttp.HSTSMinAPlus, Status: "absent", Directives: map[string]string{}}
	if len(values) == 0 {
		return p
	}
	h := chttp.ParseHSTS(values[0])
	p.Header = sanitize(values[0], 500)
	if !h.Valid {
		p.Status = "invalid"
		p.Error = sanitize(strings.Join(h.Errors, "; "), 300)
		return p
	}
	p.Status = "present"
	if h.MaxAge == 0 {
		p.Status = "disabled"
	}
	ma := h.MaxAge
	p.MaxAge = &ma
	p.IncludeSubDomains, p.Preload = h.IncludeSubDomains, h.Preload
	p.Directives["max-age"] = itoa(int(h.MaxAge))
	if h.IncludeSubDomains {
		p.Directives["includesubdomains"] = ""
	}
	if h.Preload {
		p.Directives["preload"] = ""
	}
	return p
}

func hpkpPolicy(values []string, ro bool, r *report.Report) HpkpPolicy {
	p := HpkpPolicy{Status: "absent", Pins: []HpkpPin{}, MatchedPins: []HpkpPin{}, Directives: []HpkpDirective{}}
	if len(values) == 0 {
		return p
	}
	var spkis [][]byte
	if r.Observation != nil {
		for _, ch := range r.Observation.Chains {
			for _, c := range ch.Certificates {
				if x, err := x509.ParseCertificate(c.DER); err == nil {
					spkis = append(spkis, x.RawSubjectPublicKeyInfo)
				}
			}
		}
	}
	h := chttp.ParseHPKP(values[0], ro, chttp.SPKIPins(spkis))
	p.Header = sanitize(values[0], 500)
	p.MaxAge, p.IncludeSubDomains, p.ReportURI = h.MaxAge, h.IncludeSubDomains, sanitize(h.ReportURI, 300)
	for _, pin := range h.Pins {
		p.Pins = append(p.Pins, HpkpPin{HashFunction: "sha256", Value: sanitize(pin, 100)})
	}
	for _, pin := range h.Matching {
		p.MatchedPins = append(p.MatchedPins, HpkpPin{HashFunction: "sha256", Value: sanitize(pin, 100)})
	}
	switch {
	case !h.Valid:
		p.Status = "invalid"
		p.Error = sanitize(strings.Join(h.Errors, "; "), 300)
	case h.MaxAge == 0:
		p.Status = "disabled"
	case len(h.Matching) == 0:
		p.Status = "incomplete"
	default:
		p.Status = "valid"
	}
	return p
}

// javaSigAlg names a signature algorithm as SSL Labs does (Java's names:
// "SHA256withRSA", "SHA384withECDSA", "SHA256withRSAandMGF1").
func javaSigAlg(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.MD5WithRSA:
		return "MD5withRSA"
	case x509.SHA1WithRSA:
		return "SHA1withRSA"
	case x509.SHA256WithRSA:
		return "SHA256withRSA"
	case x509.SHA384WithRSA:
		return "SHA384withRSA"
	case x509.SHA512WithRSA:
		return "SHA512withRSA"
	case x509.SHA256WithRSAPSS:
		return "SHA256withRSAandMGF1"
	case x509.SHA384WithRSAPSS:
		return "SHA384withRSAandMGF1"
	case x509.SHA512WithRSAPSS:
		return "SHA512withRSAandMGF1"
	case x509.ECDSAWithSHA1:
		return "SHA1withECDSA"
	case x509.ECDSAWithSHA256:
		return "SHA256withECDSA"
	case x509.ECDSAWithSHA384:
		return "SHA384withECDSA"
	case x509.ECDSAWithSHA512:
		return "SHA512withECDSA"
	case x509.DSAWithSHA1:
		return "SHA1withDSA"
	case x509.DSAWithSHA256:
		return "SHA256withDSA"
	case x509.PureEd25519:
		return "Ed25519"
	}
	return a.String()
}

// rsaKeyBits is the size of the first RSA leaf served (the strength of an
// RSA key exchange), 0 when none.
func rsaKeyBits(o *obs.Observation) int {
	for _, ch := range o.Chains {
		if len(ch.Certificates) > 0 && ch.Certificates[0].KeyType == "RSA" {
			return ch.Certificates[0].KeyBits
		}
	}
	return 0
}

// chainOrder lists the indexes of the served chains in a stable order (by
// key type, then protocol): the scan finds them concurrently, in an order
// that may change from run to run.
func chainOrder(o *obs.Observation) []int {
	idx := make([]int, len(o.Chains))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ca, cb := o.Chains[idx[a]], o.Chains[idx[b]]
		if ca.KeyType != cb.KeyType {
			return ca.KeyType < cb.KeyType
		}
		return ca.Protocol < cb.Protocol
	})
	return idx
}
