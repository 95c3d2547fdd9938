package grade

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// protocolScores are the 2009 guide's protocol scores. SSL 2.0 is 20 in the
// guide (testssl.sh uses 0; either way SSLv2 grades F). TLS 1.3 is not in
// the guide; implementations score it 100.
var protocolScores = map[string]int{
	view.SSLv2: 20, view.SSLv3: 80, view.TLS10: 90, view.TLS11: 95, view.TLS12: 100, view.TLS13: 100,
}

type scores struct {
	protocol, keyExchange, cipher, total int
}

func computeScores(in *Input) scores {
	var s scores
	best, worst := -1, 101
	for _, p := range view.SupportedProtocols(in.Obs) {
		v := protocolScores[p.Name]
		best, worst = max(best, v), min(worst, v)
	}
	s.protocol = (best + worst) / 2

	k, kOK := keyExchangeScore(in)
	c, cOK := cipherScore(in)
	s.keyExchange, s.cipher = k, c
	// A category without data is left out of the weighting (and reported in
	// NotAssessed) rather than counted as zero.
	num, den := 30*s.protocol, 30
	if kOK {
		num, den = num+30*k, den+30
	}
	if cOK {
		num, den = num+40*c, den+40
	}
	s.total = num / den
	if s.protocol == 0 || (kOK && k == 0) || (cOK && c == 0) {
		s.total = 0 // a zero in any category zeroes the total
	}
	return s
}

// keyStrengthScore maps RSA-equivalent bits to the guide's key-exchange score.
func keyStrengthScore(bits int) int {
	switch {
	case bits < 512:
		return 20
	case bits < 1024:
		return 40
	case bits < 2048:
		return 80
	case bits < 4096:
		return 90
	}
	return 100
}

// keyExchangeScore is the score of the weakest of: the server keys (leaf of
// each chain, EC in RSA-equivalent bits), the DH primes, and the ECDHE groups
// accepted (RSA-equivalent). Anonymous key exchange or a Debian weak key
// scores 0; export key exchange at most 40.
func keyExchangeScore(in *Input) (int, bool) {
	if _, weak := in.Failed(checks.IDCertDebianWeakKey); weak {
		return 0, true
	}
	for _, s := range in.Suites() {
		if view.IsAnonymous(s.Info) {
			return 0, true
		}
	}
	weakest := 0
	consider := func(bits int) {
		if bits > 0 && (weakest == 0 || bits < weakest) {
			weakest = bits
		}
	}
	for _, ch := range in.Obs.Chains {
		if len(ch.Certificates) > 0 {
			consider(serverKeyBits(ch.Certificates[0].KeyType, ch.Certificates[0].KeyBits))
		}
	}
	if len(in.Obs.Chains) == 0 {
		in.notAssessed("server key: no certificate chain observed; key exchange scored from ephemeral parameters only")
	}
	for _, d := range view.DHSizes(in.Obs) {
		consider(d.Bits)
	}
	if g := in.Obs.Groups; g != nil {
		for _, x := range append(append([]obs.Group{}, g.TLS12...), g.TLS13...) {
			consider(view.GroupRSABits(x))
		}
	}
	for _, s := range in.Suites() {
		if g, ok := view.KxGroup(s.KeyExchange); ok {
			consider(view.GroupRSABits(g))
		}
	}
	if weakest == 0 {
		in.notAssessed("key exchange strength: no server key, DH or ECDHE data; left out of the total")
		return 0, false
	}
	score := keyStrengthScore(weakest)
	for _, s := range in.Suites() {
		if s.Info.Export {
			score = min(score, 40)
		}
	}
	return score, true
}

// serverKeyBits converts a certificate key to RSA-equivalent bits.
func serverKeyBits(keyType string, bits int) int {
	switch keyType {
	case "ECDSA", "EC":
		return view.ECRSAEquivalent(bits)
	case "Ed25519":
		return 3072
	case "Ed448":
		return 7680
	}
	return bits // RSA, DSA
}

// cipherStrengthScore maps effective cipher bits to the guide's score.
func cipherStrengthScore(bits int) int {
	switch {
	case bits <= 0:
		return 0
	case bits < 128:
		return 20
	case bits < 256:
		return 80
	}
	return 100
}

// cipherScore is (strongest + weakest) / 2 over the accepted suites.
func cipherScore(in *Input) (int, bool) {
	best, worst := -1, 101
	for _, s := range in.Suites() {
		v := cipherStrengthScore(view.EffectiveBits(s.Info))
		best, worst = max(best, v), min(worst, v)
	}
	if best < 0 {
		in.notAssessed("cipher strength: no accepted suite is known to the registry; left out of the total")
		return 0, false
	}
	return (best + worst) / 2, true
}
