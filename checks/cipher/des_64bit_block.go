package cipher

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherDES64BitBlock,
		Title: "64-bit block cipher suites accepted (3DES, DES, IDEA, RC2)",
		Description: "Ciphers with a 64-bit block collide after about 2^32 blocks: a long-lived connection leaks " +
			"plaintext (SWEET32).",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2016-2183"}, {Kind: "cve", ID: "CVE-2016-6329"}},
	}, view.AnySuite("64-bit block cipher suites", func(s view.Suite) bool {
		return s.Info.BlockBits == 64
	})).When(view.HasProtocols))
}
