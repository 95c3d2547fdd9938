// Package checks turns observations into findings. Checks are pure functions
// of an *obs.Observation and an Env (clock, trust, options): no I/O.
//
// Each check lives in its own file, registers itself in init() with its
// metadata, and is testable from a recorded observation.
package checks

import (
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
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
}

// TrustStore is a named set of trust anchors.
type TrustStore struct {
	Name  string   // "mozilla", "system", "custom", or a named store ("apple", ...)
	Roots [][]byte // DER certificates
	// Informational: the store gets its trust line (and a cert.store_trust
	// finding) but does not decide cert.untrusted, so not the grade either.
	// The system store and the named and platform stores are informational;
	// mozilla and custom (--ca-file) decide.
	Informational bool
	// Provenance says where the roots come from and how old they are; nil
	// for a store built in code.
	Provenance *StoreProvenance
}

// StoreProvenance is where a trust store's roots come from.
type StoreProvenance struct {
	// Origin: "embedded" (compiled in), "system" (the system bundle),
	// "file" (a file the user named) or "platform" (a platform's bundle
	// found on the machine, e.g. the one Debian's testssl.sh package ships).
	Origin string `json:"origin"`
	File   string `json:"file,omitempty"`
	// Date is the notBefore of the store's newest root (DateSource
	// "newest_certificate"), or the file's modification time when no root's
	// date could be read ("file_mtime"). A store is at least this old.
	Date       time.Time `json:"date"`
	DateSource string    `json:"date_source"`
	// FileModified is the file's modification time, when read from a file.
	FileModified time.Time `json:"file_modified,omitzero"`
	// Note is a caveat shown with the store, e.g. that it is a dated
	// snapshot and not the platform's current store.
	Note string `json:"note,omitempty"`
}

// Check is one registered check.
type Check interface {
	Meta() Meta
	// Evaluate returns the check's findings for o (usually one). The framework
	// fills CheckID, Title, Category, Severity and Refs from Meta when empty.
	Evaluate(o *obs.Observation, env Env) []Finding
}
