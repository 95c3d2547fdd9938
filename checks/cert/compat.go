package cert

import (
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// Names of package certanalysis that readers of the certificate findings
// use with them.
type (
	Analysis      = certanalysis.Analysis
	ChainAnalysis = certanalysis.ChainAnalysis
	CertSummary   = certanalysis.CertSummary
	KeyInfo       = certanalysis.KeyInfo
	StoreTrust    = certanalysis.StoreTrust
	TrustPath     = certanalysis.TrustPath
	PathCert      = certanalysis.PathCert
	LeafFacts     = certanalysis.LeafFacts
	StapleInfo    = certanalysis.StapleInfo
	SCTInfo       = certanalysis.SCTInfo
)

// MozillaStore returns the Mozilla (NSS) root set embedded in the binary
// (truststore.Mozilla).
func MozillaStore() truststore.Store { return truststore.Mozilla() }

// ParseStore builds a trust store from PEM or from one DER certificate
// (truststore.Parse).
func ParseStore(name string, data []byte) (truststore.Store, error) {
	return truststore.Parse(name, data)
}
