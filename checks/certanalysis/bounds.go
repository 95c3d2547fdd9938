package certanalysis

// Bounds on the work one chain can ask for. A server controls the chain it
// sends (up to the 256 KiB cap of a Certificate message: some 600 small
// certificates), and every certificate that carries the right issuer name
// is an issuer candidate needing a signature check; without these bounds a
// chain of same-name certificates costs a quadratic number of signature
// checks (tens of seconds of CPU). Real chains have one to three
// certificates and one candidate per name, far below every bound.
const (
	// maxIssuerCandidates bounds the certificates tried as the issuer of
	// one certificate (same name, matching key identifiers), anchors first.
	maxIssuerCandidates = 8
	// maxSignatureChecks bounds the signature checks of one path search
	// (one store, one leaf).
	maxSignatureChecks = 64
	// maxServedWalk bounds the served certificates followed from the leaf
	// when judging the chain as sent.
	maxServedWalk = 16
	// maxLinted bounds the served certificates of one chain that zlint runs
	// on (leaf first).
	maxLinted = 16
)

// boundsReason explains an untrusted verdict reached with a bound hit.
const boundsReason = "chain analysis stopped at its bounds (too many issuer candidates of the same name or signature checks): no path to a trust anchor found within them"
