// Package obs is the observation model: a plain, JSON-serialisable record of
// what a server did during a scan. It has no I/O and no verdicts; checks/ and
// report/ import it, and nothing else from scan/.
//
// JSON field names are snake_case and stable: adding fields is fine, renaming
// one is a breaking change of the report schema (see report/schema).
package obs

import "time"

// SchemaVersion is the version of the observation/report JSON schema.
const SchemaVersion = "1.0"

// Status says how the scan of one target ended (zgrab2-style vocabulary).
type Status string

const (
	StatusOK                Status = "ok"                 // scanned; per-probe errors may still be listed
	StatusInvalidTarget     Status = "invalid_target"     // the target string could not be parsed
	StatusResolveError      Status = "resolve_error"      // the name did not resolve
	StatusConnectionRefused Status = "connection_refused" // TCP RST on connect
	StatusConnectionTimeout Status = "connection_timeout" // no TCP answer in time
	StatusConnectionError   Status = "connection_error"   // other dial errors
	StatusNotTLS            Status = "not_tls"            // the server answered, but not with TLS
	StatusNoTLS             Status = "no_protocol"        // TLS server accepted no protocol version we offered
	StatusProtocolError     Status = "protocol_error"     // the server spoke broken TLS
	StatusTimeout           Status = "timeout"            // the overall audit deadline passed
	StatusStartTLSError     Status = "starttls_error"     // the STARTTLS exchange failed
	StatusInternalError     Status = "internal_error"     // a bug in tlsaudit (recovered panic)
	StatusCanceled          Status = "canceled"           // the run was interrupted before this target finished
)

// Observation is everything one scan of one endpoint saw.
type Observation struct {
	Schema    string    `json:"schema"`
	Target    Target    `json:"target,omitzero"` // left out of compact batch records (report.Trim)
	Started   time.Time `json:"started"`
	ElapsedMS int64     `json:"elapsed_ms"`
	Status    Status    `json:"status"`
	Error     string    `json:"error,omitempty"`
	// Connections is the number of TCP connections this scan opened.
	Connections int `json:"connections"`
	// ConnectionsByPhase splits Connections by what they were for:
	// "protocols" (protocol and suite enumeration), "groups" (named groups
	// for TLS 1.2 and 1.3; the first TLS 1.3 hello counts as protocols),
	// "signature_algorithms", "probe:NAME".
	ConnectionsByPhase map[string]int `json:"connections_by_phase,omitempty"`
	// ElapsedMSByPhase: wall time of "discovery" and of each probe ("probe:NAME").
	ElapsedMSByPhase map[string]int64 `json:"elapsed_ms_by_phase,omitempty"`

	// Protocols has one entry per protocol version probed, from SSLv2 up.
	Protocols []Protocol `json:"protocols,omitempty"`
	// Groups: named groups accepted, per protocol family.
	Groups *Groups `json:"groups,omitempty"`
	// DH lists the distinct finite-field DH parameters seen in DHE key exchanges.
	DH []DHParams `json:"dh,omitempty"`
	// SignatureAlgorithms accepted by the server for its own signatures.
	SignatureAlgorithms *SignatureAlgorithms `json:"signature_algorithms,omitempty"`
	// Chains are the certificate chains exactly as served, one per distinct chain
	// (e.g. one RSA, one ECDSA).
	Chains []Chain `json:"chains,omitempty"`
	// Handshake holds details of one representative full handshake.
	Handshake *Handshake `json:"handshake,omitempty"`

	// HTTP is what an HTTP request over the audited TLS connection showed
	// (security headers, redirects, compression); see http.go.
	HTTP *HTTP `json:"http,omitempty"`
	// Probes holds the raw results of the vulnerability and feature probes;
	// checks/ judges them. See probes*.go.
	Probes *Probes `json:"probes,omitempty"`

	// Errors are per-probe problems that did not stop the scan.
	Errors []ProbeError `json:"errors,omitempty"`

	// AIAFetched are certificates fetched from Authority Information Access
	// caIssuers URLs (opt-in --fetch-aia), to complete served chains.
	AIAFetched []FetchedCert `json:"aia_fetched,omitempty"`
	// Revocation holds opt-in (--check-revocation) OCSP queries and CRL
	// downloads for served certificates.
	Revocation []RevocationCheck `json:"revocation,omitempty"`
	// DNS holds CAA and TLSA records for the host, when looked up.
	DNS *DNSRecords `json:"dns,omitempty"`

	// ClientSimulations replay real clients' ClientHellos (see clients.go).
	ClientSimulations []ClientSimulation `json:"client_simulations,omitempty"`

	// Mode is how thoroughly the endpoint was scanned: ModeFull (also when
	// empty, for older records) or ModeQuick.
	Mode string `json:"mode,omitempty"`
}

// Scan modes (Observation.Mode).
const (
	// ModeFull: protocols, suites, groups, signature algorithms and chains
	// were enumerated and the probes ran.
	ModeFull = "full"
	// ModeQuick: one handshake at the best protocol only. Protocols then
	// holds just the negotiated protocol with its one suite; nothing can be
	// concluded about what is absent.
	ModeQuick = "quick"
)

// FetchedCert is a certificate downloaded from an AIA caIssuers URL.
type FetchedCert struct {
	URL string `json:"url"`
	// For is the SHA-256 (hex) of the certificate whose AIA named the URL.
	For   string `json:"for"`
	DER   []byte `json:"der,omitempty"`
	Error string `json:"error,omitempty"`
}

// RevocationCheck is one OCSP query or CRL download for one certificate.
type RevocationCheck struct {
	Cert   string `json:"cert"`   // SHA-256 (hex) of the certificate checked
	Method string `json:"method"` // "ocsp" or "crl"
	URL    string `json:"url"`
	// Status: "good", "revoked", "unknown" or "error".
	Status     string    `json:"status"`
	RevokedAt  time.Time `json:"revoked_at,omitempty"`
	Reason     int       `json:"reason,omitempty"` // RFC 5280 CRLReason
	ThisUpdate time.Time `json:"this_update,omitempty"`
	NextUpdate time.Time `json:"next_update,omitempty"`
	Error      string    `json:"error,omitempty"`
}

// DNSRecords are DNS facts about the audited host.
type DNSRecords struct {
	Resolver string `json:"resolver,omitempty"`
	// CAA: the relevant record set found by RFC 8659 tree climbing, and the
	// name it was found at (empty when no CAA exists: any CA may issue).
	CAAName  string      `json:"caa_name,omitempty"`
	CAA      []CAARecord `json:"caa,omitempty"`
	CAAError string      `json:"caa_error,omitempty"`
	// TLSA records at _port._tcp.host (RFC 6698) and whether the answer was
	// DNSSEC-authenticated (AD bit).
	TLSAName      string       `json:"tlsa_name,omitempty"`
	TLSA          []TLSARecord `json:"tlsa,omitempty"`
	TLSAError     string       `json:"tlsa_error,omitempty"`
	Authenticated bool         `json:"authenticated,omitempty"`
}

// CAARecord is one CAA resource record (RFC 8659).
type CAARecord struct {
	Flag  uint8  `json:"flag"`
	Tag   string `json:"tag"`
	Value string `json:"value"`
}

// TLSARecord is one TLSA resource record (RFC 6698).
type TLSARecord struct {
	Usage        uint8  `json:"usage"`
	Selector     uint8  `json:"selector"`
	MatchingType uint8  `json:"matching_type"`
	Data         string `json:"data"` // hex
}

// Target identifies the endpoint.
type Target struct {
	Input    string `json:"input"`              // as the user wrote it
	Host     string `json:"host"`               // host name or literal address
	IP       string `json:"ip,omitempty"`       // the address actually dialled
	Port     int    `json:"port"`               // TCP port
	SNI      string `json:"sni,omitempty"`      // server_name sent (empty for IP literals unless --sni)
	StartTLS string `json:"starttls,omitempty"` // application protocol negotiated before TLS, e.g. "smtp"
}

// Protocol is the result for one protocol version.
type Protocol struct {
	Name      string `json:"name"`    // "SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"
	Version   uint16 `json:"version"` // wire version, e.g. 0x0303 (SSLv2 is 0x0002)
	Supported bool   `json:"supported"`
	// Suites accepted, in the server's preference order when ServerOrder is
	// true, otherwise in the order tlsaudit offered them.
	Suites []Suite `json:"suites,omitempty"`
	// ServerOrder: true if the server enforces its own suite order, false if it
	// follows the client's; absent when it cannot be told (fewer than 2 suites).
	ServerOrder *bool `json:"server_order,omitempty"`
	// Error is set when the protocol could not be probed conclusively.
	Error string `json:"error,omitempty"`
}

// Suite is one accepted cipher suite.
type Suite struct {
	ID   uint16 `json:"id"`             // code point (SSLv2: 24-bit, stored in the low bytes of ID24)
	ID24 uint32 `json:"id24,omitempty"` // SSLv2 cipher-kind (3 bytes)
	Name string `json:"name"`           // IANA name (or the conventional one when not in the registry)
	// OpenSSLName is the suite's name in OpenSSL cipher strings (the one
	// `openssl ciphers -V` prints); absent when OpenSSL has none or the code
	// point is not in the registry.
	OpenSSLName string `json:"openssl_name,omitempty"`
	// KeyBits is the cipher's effective symmetric key strength (3DES 112,
	// export 40 or 56, NULL 0); absent when the code point is not in the
	// registry.
	KeyBits *int `json:"key_bits,omitempty"`
	// KeyExchange as seen when this suite was chosen (group and size), when known.
	KeyExchange *KeyExchange `json:"key_exchange,omitempty"`
}

// KeyExchange describes the ephemeral key exchange of one handshake.
type KeyExchange struct {
	Kind  string `json:"kind"`            // "ECDHE", "DHE", "RSA", "PSK", ...
	Group string `json:"group,omitempty"` // named group, e.g. "x25519", "secp256r1", "ffdhe2048"
	Bits  int    `json:"bits,omitempty"`  // DH prime / curve size
}

// Groups lists accepted named groups.
type Groups struct {
	// TLS12 is the list of groups accepted for ECDHE (and FFDHE named groups) up to TLS 1.2.
	TLS12 []Group `json:"tls12,omitempty"`
	// TLS12ServerOrder: server enforces its group preference (nil: unknown).
	TLS12ServerOrder *bool `json:"tls12_server_order,omitempty"`
	// TLS13 is the list of groups accepted for TLS 1.3 key exchange.
	TLS13 []Group `json:"tls13,omitempty"`
	// TLS13ServerOrder: server enforces its group preference (nil: unknown).
	TLS13ServerOrder *bool `json:"tls13_server_order,omitempty"`
	// TLS13HRRGroups are the groups for which the server answered our
	// key_share with a HelloRetryRequest instead of accepting it directly.
	TLS13HRR []Group `json:"tls13_hrr,omitempty"`
	// TLS12DerivedFrom, when set, says which answer the first TLS12 group
	// was taken from instead of a connection of the group enumeration's
	// own.
	TLS12DerivedFrom string `json:"tls12_derived_from,omitempty"`
}

// Group is a named group (RFC 8446 / IANA TLS Supported Groups).
type Group struct {
	ID   uint16 `json:"id"`
	Name string `json:"name"`
	// Bits is the security-relevant size: curve order bits or prime bits.
	Bits int `json:"bits,omitempty"`
	// PostQuantum marks hybrid or pure ML-KEM groups.
	PostQuantum bool `json:"post_quantum,omitempty"`
}

// DHParams are finite-field Diffie-Hellman parameters from a ServerKeyExchange.
type DHParams struct {
	Bits      int    `json:"bits"`
	Prime     string `json:"prime"`     // hex
	Generator string `json:"generator"` // hex
	// Known names a well-known prime: "ffdhe2048" (RFC 7919), "modp2048" (RFC 3526),
	// "rfc5114-1024-160", "apache-1024", ... Empty when the prime is not known.
	Known string `json:"known,omitempty"`
	// Source says where the prime is published (for common primes).
	Source string `json:"source,omitempty"`
	// Protocols and suites these parameters were seen with.
	SeenWith []string `json:"seen_with,omitempty"`
}

// SignatureAlgorithms the server accepted (used) for its signatures.
type SignatureAlgorithms struct {
	TLS12 []SigAlg `json:"tls12,omitempty"`
	// TLS12DerivedFrom: see Groups.TLS12DerivedFrom.
	TLS12DerivedFrom string   `json:"tls12_derived_from,omitempty"`
	TLS13            []SigAlg `json:"tls13,omitempty"`
	// Error explains an inconclusive enumeration.
	Error string `json:"error,omitempty"`
}

// SigAlg is a TLS SignatureScheme.
type SigAlg struct {
	ID   uint16 `json:"id"`
	Name string `json:"name"`
}

// Chain is one certificate chain exactly as the server sent it.
type Chain struct {
	// How it was obtained: protocol and the key type the suite or signature
	// algorithm asked for ("RSA", "ECDSA", "DSA", "Ed25519").
	Protocol string `json:"protocol"`
	KeyType  string `json:"key_type"`
	// Certificates in the order sent, leaf first.
	Certificates []Certificate `json:"certificates"`
	// OCSPStaple is the raw OCSPResponse, when the server stapled one.
	OCSPStaple []byte `json:"ocsp_staple,omitempty"`
	// SCTs from the signed_certificate_timestamp TLS extension (raw SCTs).
	SCTs [][]byte `json:"scts,omitempty"`
}

// Certificate is one served certificate: its DER bytes plus a summary parsed
// leniently (a certificate that does not parse still has its DER).
type Certificate struct {
	DER        []byte    `json:"der,omitempty"` // left out of compact batch records (report.Trim)
	SHA256     string    `json:"sha256"`        // hex fingerprint of DER
	Subject    string    `json:"subject,omitempty"`
	Issuer     string    `json:"issuer,omitempty"`
	Serial     string    `json:"serial,omitempty"`
	NotBefore  time.Time `json:"not_before,omitempty"`
	NotAfter   time.Time `json:"not_after,omitempty"`
	KeyType    string    `json:"key_type,omitempty"` // "RSA", "ECDSA", "Ed25519", "DSA"
	KeyBits    int       `json:"key_bits,omitempty"`
	Curve      string    `json:"curve,omitempty"`
	SigAlg     string    `json:"signature_algorithm,omitempty"`
	DNSNames   []string  `json:"dns_names,omitempty"`
	IPs        []string  `json:"ip_addresses,omitempty"`
	IsCA       bool      `json:"is_ca,omitempty"`
	SelfSigned bool      `json:"self_signed,omitempty"`
	ParseError string    `json:"parse_error,omitempty"`
}

// Handshake records one representative full handshake (the best protocol).
type Handshake struct {
	Protocol string `json:"protocol"`
	Suite    string `json:"suite"`
	Group    string `json:"group,omitempty"`
	ALPN     string `json:"alpn,omitempty"`
	// Extensions the server sent in ServerHello (and EncryptedExtensions for TLS 1.3), by name.
	Extensions []string `json:"extensions,omitempty"`
	// SecureRenegotiation: renegotiation_info echoed (RFC 5746).
	SecureRenegotiation *bool `json:"secure_renegotiation,omitempty"`
	// ExtendedMasterSecret echoed (RFC 7627).
	ExtendedMasterSecret *bool `json:"extended_master_secret,omitempty"`
	// Compression method chosen (0 null, 1 DEFLATE).
	Compression *uint8 `json:"compression,omitempty"`
	// SessionTicket: server sent the session_ticket extension.
	SessionTicket *bool `json:"session_ticket,omitempty"`
}

// ProbeError is a problem met by one probe.
type ProbeError struct {
	Probe string `json:"probe"`
	Error string `json:"error"`
}
