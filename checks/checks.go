// Package checks turns observations into findings. Checks are pure functions
// of an *obs.Observation and an Env (clock, trust, options): no I/O.
//
// Each check lives in its own file, adds itself with its metadata to its
// category's List in init(), and is testable from a recorded observation.
package checks

import (
	"time"

	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/checks/weakkey"
	"github.com/tlsaudit/tlsaudit/scan/certcache"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// Severity of a failed check.
type Severity string

const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Status of one finding.
type Status string

const (
	// StatusPass: the check looked for the problem and it is absent.
	StatusPass Status = "pass"
	// StatusFail: the problem is present; Detail carries the evidence.
	StatusFail Status = "fail"
	// StatusInconclusive: the data the check needs is there in principle,
	// but the observation says its probe errored (or it is incomplete), so
	// neither pass nor fail can be said.
	StatusInconclusive Status = "inconclusive"
	// StatusNotApplicable: there is nothing to judge, e.g. the scan failed,
	// the protocol was not probed, or the feature is irrelevant (no DHE
	// suite for a DH check).
	StatusNotApplicable Status = "not_applicable"
	// StatusError: the check itself failed (a recovered panic): a bug.
	StatusError Status = "error"
)

// Ref is a reference: a CVE, CWE, RFC section, CA/B Forum section or URL.
type Ref struct {
	Kind string `json:"kind"` // "cve", "cwe", "rfc", "cabf", "url"
	ID   string `json:"id"`
}

// Meta describes a check.
type Meta struct {
	ID          string   `json:"id"` // category.snake_name, e.g. "proto.sslv3_enabled"
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Category    string   `json:"category"` // "protocol", "cipher", "kx", "cert", "vuln", "http"
	Severity    Severity `json:"severity"`
	Refs        []Ref    `json:"refs,omitempty"`
	// FullScanOnly: the check is not judged on a quick scan although its
	// category is (see QuickAssessable).
	FullScanOnly bool `json:"full_scan_only,omitempty"`
}

// Finding is the result of one check on one target.
type Finding struct {
	CheckID  string   `json:"check_id"`
	Title    string   `json:"title"`
	Category string   `json:"category"`
	Status   Status   `json:"status"`
	Severity Severity `json:"severity"`
	// Subject names what the finding is about when a check yields several
	// (a suite, a certificate, a protocol).
	Subject string `json:"subject,omitempty"`
	// Detail is the evidence, one readable sentence.
	Detail string `json:"detail,omitempty"`
	Refs   []Ref  `json:"refs,omitempty"`
}

// Env is what checks may depend on besides the observation.
type Env struct {
	Now        time.Time     // never time.Now() inside a check
	ExpiryWarn time.Duration // certificate expiry warning window (0: 30 days)
	// Hostname the certificate must match (the SNI name, or the host).
	Hostname string
	// Stores are the trust stores to validate chains against, loaded by the
	// caller (embedded Mozilla roots, system store, --ca-file).
	Stores []TrustStore
	// WeakKeys is the Debian weak key list (nil: none loaded, and
	// cert.debian_weak_key is inconclusive).
	WeakKeys *weakkey.List
	// Certs keeps certificate parses shared with the scan (nil: parse
	// every time).
	Certs *certcache.Cache
	// Analyzer computes the certificate analysis the cert.* checks judge
	// and owns the caches it reuses across evaluations; the caller (an
	// engine) builds it once. Nil: nothing is reused across evaluations.
	Analyzer *certanalysis.Analyzer
	// Shared keeps what the checks of this evaluation compute once (see
	// Shared); nil: Run makes one.
	Shared *Shared
}

// TrustStore is a named set of trust anchors (see package truststore).
type TrustStore = truststore.Store

// Check is one registered check.
type Check interface {
	Meta() Meta
	// Evaluate returns the check's findings for o (usually one). The framework
	// fills CheckID, Title, Category, Severity and Refs from Meta when empty.
	Evaluate(o *obs.Observation, env Env) []Finding
}
