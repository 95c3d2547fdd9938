// Package certanalysis analyses served certificate chains: trust paths per
// store, chain quality, leaf facts, zlint, OCSP staple, SCTs, revocation and
// DNS (CAA, DANE). It is pure: no I/O. An Analyzer computes the Analysis of
// an observation once; the certificate checks (package checks/cert) judge
// it, and reports carry it.
package certanalysis

import (
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Analysis is the certificate analysis of one observation.
type Analysis struct {
	Hostname string          `json:"hostname,omitempty"`
	Chains   []ChainAnalysis `json:"chains"`
	// CAA and DANE results, when the observation holds DNS records.
	CAA  *CAAResult  `json:"caa,omitempty"`
	DANE *DANEResult `json:"dane,omitempty"`
}

// ChainAnalysis is the analysis of one served chain.
type ChainAnalysis struct {
	KeyType      string        `json:"key_type,omitempty"`
	Protocol     string        `json:"protocol,omitempty"`
	Certificates []CertSummary `json:"certificates"`
	Trust        []StoreTrust  `json:"trust"`
	// PrivatePKI: the chain is trusted through the custom store (--ca-file)
	// and by no public store (the machine's system store does not count):
	// the public stores' "untrusted" is expected, and CA/Browser Forum and
	// root-program requirements are informational.
	PrivatePKI bool         `json:"private_pki,omitempty"`
	Quality    ChainQuality `json:"quality"`
	Leaf       *LeafFacts   `json:"leaf,omitempty"`
	Staple     *StapleInfo  `json:"ocsp_staple,omitempty"`
	SCTs       []SCTInfo    `json:"scts,omitempty"`
	// Fetched lists intermediates taken from AIA fetches to build paths.
	Fetched []FetchedInfo `json:"aia_fetched,omitempty"`
	// Revocation are the opt-in revocation results for certificates of this chain.
	Revocation []obs.RevocationCheck `json:"revocation,omitempty"`
}

// CertSummary describes one certificate of a chain.
type CertSummary struct {
	Index        int          `json:"index"`
	Subject      string       `json:"subject"`
	Issuer       string       `json:"issuer"`
	Serial       string       `json:"serial,omitempty"`
	NotBefore    time.Time    `json:"not_before"`
	NotAfter     time.Time    `json:"not_after"`
	Key          KeyInfo      `json:"key"`
	SigAlg       string       `json:"signature_algorithm"`
	SHA256       string       `json:"sha256"`
	SPKIPin      string       `json:"spki_sha256"` // base64, the HPKP pin value
	IsCA         bool         `json:"is_ca,omitempty"`
	SelfSigned   bool         `json:"self_signed,omitempty"`
	ParseError   string       `json:"parse_error,omitempty"`
	Lints        []LintResult `json:"lints,omitempty"`
	LintErrors   int          `json:"lint_errors"`
	LintWarnings int          `json:"lint_warnings"`
}

// KeyInfo describes a public key.
type KeyInfo struct {
	Type     string `json:"type"` // "RSA", "ECDSA", "Ed25519", "DSA", "unknown"
	Bits     int    `json:"bits,omitempty"`
	Curve    string `json:"curve,omitempty"`
	Exponent int64  `json:"exponent,omitempty"` // RSA public exponent (0 if it does not fit)
	// ROCA: the RSA modulus has the Infineon fingerprint (CVE-2017-15361).
	ROCA bool `json:"roca,omitempty"`
	// DebianWeak: the RSA modulus is on the Debian weak key blocklist (CVE-2008-0166).
	DebianWeak bool `json:"debian_weak,omitempty"`
}

// LintResult is one zlint result that is not a pass.
type LintResult struct {
	Lint     string `json:"lint"`
	Status   string `json:"status"` // "warn", "error", "fatal"
	Details  string `json:"details,omitempty"`
	Citation string `json:"citation,omitempty"`
	Source   string `json:"source,omitempty"`
}

// StoreTrust is the verdict for one trust store.
type StoreTrust struct {
	Store   string `json:"store"`
	Trusted bool   `json:"trusted"`
	// Informational: this store's verdict does not count for cert.untrusted
	// and the grade (only mozilla and custom do); it is shown, as SSL Labs
	// shows its platform stores, and can be required with --require-store.
	Informational bool `json:"informational,omitempty"`
	// Roots is the number of trust anchors in the store.
	Roots int `json:"roots,omitempty"`
	// Provenance says where the store comes from and how old it is.
	Provenance *StoreAge `json:"provenance,omitempty"`
	// Reason says why not; when trusted, a caveat or empty (e.g. trusted
	// only with an intermediate fetched via AIA).
	Reason string `json:"reason,omitempty"`
	// Paths are the certification paths found, leaf first, as indexes into
	// Certificates (served) or fingerprints of anchors and fetched certificates.
	Paths []TrustPath `json:"paths,omitempty"`
}

// TrustPath is one path from the leaf to an anchor.
type TrustPath struct {
	Certs    []PathCert `json:"certs"`
	Trusted  bool       `json:"trusted"`
	Problems []string   `json:"problems,omitempty"`
}

// PathCert is one certificate of a path.
type PathCert struct {
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
	// Source: "served", "store" (the anchor) or "aia".
	Source string `json:"source"`
	Index  int    `json:"index"` // position in the served chain, -1 when not served
}

// ChainQuality lists problems of the chain as served.
type ChainQuality struct {
	Incomplete bool `json:"incomplete,omitempty"`
	// MissingIssuer is the issuer name of the last certificate of the served
	// issuance chain when the chain is incomplete.
	MissingIssuer string `json:"missing_issuer,omitempty"`
	// UnknownRoot: the served chain ends with a CA certificate (not the
	// leaf) whose issuer no store holds and that nothing fetched via AIA
	// shows to be an intermediate: taken for an unknown root, not a missing
	// intermediate. UnknownIssuer is that issuer's name.
	UnknownRoot   bool   `json:"unknown_root,omitempty"`
	UnknownIssuer string `json:"unknown_issuer,omitempty"`
	// CompletedByAIA: the missing intermediate was fetched via AIA.
	CompletedByAIA bool  `json:"completed_by_aia,omitempty"`
	WrongOrder     bool  `json:"wrong_order,omitempty"`
	Extra          []int `json:"extra,omitempty"`      // indexes of unrelated certificates
	RootSent       []int `json:"root_sent,omitempty"`  // indexes of self-signed CA certificates sent
	Duplicates     []int `json:"duplicates,omitempty"` // indexes of repeated certificates
}

// LeafFacts are facts about the end-entity certificate.
type LeafFacts struct {
	Hostname      string `json:"hostname,omitempty"`
	HostnameMatch bool   `json:"hostname_match"`
	// MatchedName is the SAN entry that matched.
	MatchedName string `json:"matched_name,omitempty"`
	// CNOnly: no subjectAltName, only a subject CN (never used for matching).
	CNOnly   bool      `json:"cn_only,omitempty"`
	CN       string    `json:"cn,omitempty"`
	DNSNames []string  `json:"dns_names,omitempty"`
	IPs      []string  `json:"ip_addresses,omitempty"`
	NotAfter time.Time `json:"not_after"`
	// DaysLeft until NotAfter, negative when expired.
	DaysLeft    int  `json:"days_left"`
	Expired     bool `json:"expired,omitempty"`
	NotYetValid bool `json:"not_yet_valid,omitempty"`
	ExpiresSoon bool `json:"expires_soon,omitempty"`
	// ValidityDays is the validity period; MaxValidityDays the CA/B Forum
	// maximum for a certificate issued at its NotBefore.
	ValidityDays    int      `json:"validity_days"`
	MaxValidityDays int      `json:"max_validity_days"`
	Validation      string   `json:"validation,omitempty"` // "DV", "OV", "EV" or ""
	MustStaple      bool     `json:"must_staple,omitempty"`
	OCSPURLs        []string `json:"ocsp_urls,omitempty"`
	CRLURLs         []string `json:"crl_urls,omitempty"`
	CAIssuerURLs    []string `json:"ca_issuer_urls,omitempty"`
	// SymantecDistrusted: the chain belongs to the legacy Symantec PKI.
	SymantecDistrusted bool `json:"symantec_distrusted,omitempty"`
}

// StapleInfo is a parsed stapled OCSP response.
type StapleInfo struct {
	Status     string    `json:"status"` // "good", "revoked", "unknown", "invalid"
	ThisUpdate time.Time `json:"this_update,omitempty"`
	NextUpdate time.Time `json:"next_update,omitempty"`
	RevokedAt  time.Time `json:"revoked_at,omitempty"`
	// SignatureValid: verified against the leaf's issuer (directly or via a
	// delegated responder certificate); nil when the issuer is unknown.
	SignatureValid *bool `json:"signature_valid,omitempty"`
	// Signer of a valid signature: "issuer" (the issuer's key, its
	// certificate embedded or not) or "delegated" (a responder certificate
	// issued by the issuer with id-kp-OCSPSigning).
	Signer      string `json:"signer,omitempty"`
	Expired     bool   `json:"expired,omitempty"`
	SerialMatch bool   `json:"serial_match"`
	Error       string `json:"error,omitempty"`
}

// SCTInfo is one Signed Certificate Timestamp.
type SCTInfo struct {
	Source    string    `json:"source"` // "certificate", "tls_extension", "ocsp"
	Version   int       `json:"version"`
	LogID     string    `json:"log_id"` // base64
	Timestamp time.Time `json:"timestamp"`
	HashAlg   string    `json:"hash_algorithm,omitempty"`
	SigAlg    string    `json:"signature_algorithm,omitempty"`
	Error     string    `json:"error,omitempty"`
}

// FetchedInfo says which certificate was fetched from where.
type FetchedInfo struct {
	URL     string `json:"url"`
	Subject string `json:"subject,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Analyze computes the certificate analysis of o under in, reusing z's
// caches (the nil Analyzer computes everything).
func (z *Analyzer) Analyze(o *obs.Observation, in Input) *Analysis {
	a := &Analysis{Hostname: hostnameFor(o, in)}
	stores := z.parseStores(in.Stores)
	for i := range o.Chains {
		a.Chains = append(a.Chains, z.analyzeChain(o, &o.Chains[i], in, a.Hostname, stores))
	}
	if o.DNS != nil && len(a.Chains) > 0 {
		a.CAA = evalCAA(o.DNS, a.Chains[0])
		a.DANE = evalDANE(o.DNS, o.Chains, a.Chains)
	}
	return a
}

func hostnameFor(o *obs.Observation, env Input) string {
	switch {
	case env.Hostname != "":
		return env.Hostname
	case o.Target.SNI != "":
		return o.Target.SNI
	}
	return o.Target.Host
}
