package certanalysis

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"

	"github.com/tlsaudit/tlsaudit/checks/weakkey"
	"github.com/tlsaudit/tlsaudit/scan/certcache"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// Input is what an analysis depends on besides the observation.
type Input struct {
	Now        time.Time     // the clock of validity, expiry and staple checks
	ExpiryWarn time.Duration // expiry warning window (0: 30 days)
	// Hostname the leaf must match ("": the observation's SNI name, else
	// its host).
	Hostname string
	// Stores are the trust stores chains are validated against, in order.
	Stores []truststore.Store
	// WeakKeys is the Debian weak key list (nil: none).
	WeakKeys *weakkey.List
	// Certs keeps the parses of served certificates, shared with the scan
	// (nil: parse every time).
	Certs *certcache.Cache
}

// Analyzer computes certificate analyses and owns what they reuse across
// observations: the parsed and indexed trust stores, the signature checks
// by issuer/subject pair, and zlint's results by certificate. Each of these
// depends only on its key (the store's roots, the two certificates' DER,
// the certificate's DER), so a reused value is the value an analysis would
// compute; the caches are bounded (they start over when full). An Analyzer
// is safe for concurrent use. The nil *Analyzer caches nothing: every
// analysis computes everything.
type Analyzer struct {
	lints *certcache.Bounded[[sha256.Size]byte, *lintEntry]

	sigMu sync.Mutex
	sigs  map[sigKey]bool

	storeMu sync.Mutex
	stores  map[storeKey]*storeEntry

	// verified counts the signature checks computed (not taken from the
	// cache).
	verified atomic.Int64
}

// NewAnalyzer returns an Analyzer with empty caches. Build one per engine
// (or per run) and pass it to every analysis.
func NewAnalyzer() *Analyzer {
	return &Analyzer{
		lints:  certcache.NewBounded[[sha256.Size]byte, *lintEntry](lintCacheCap),
		sigs:   map[sigKey]bool{},
		stores: map[storeKey]*storeEntry{},
	}
}

// Prelint lints c ahead of the analysis that will need it (an engine calls
// it, in a goroutine, for certificates the scan parses during a full
// audit); the analysis then takes the result, or waits for the lint still
// running rather than starting another. It does nothing on the nil
// Analyzer.
func (z *Analyzer) Prelint(c *zx509.Certificate) {
	if z != nil {
		z.lint(c)
	}
}

// IndexStores parses and indexes the trust stores ts ahead of the first
// analysis that needs them (a caller may overlap it with a scan); later
// analyses with the same roots take the index. It does nothing on the nil
// Analyzer.
func (z *Analyzer) IndexStores(ts []truststore.Store) {
	if z != nil {
		z.parseStores(ts)
	}
}

// SignatureChecks is the number of signature checks z computed (those
// answered from its cache are not counted).
func (z *Analyzer) SignatureChecks() int64 { return z.verified.Load() }
