package clientsim

import (
	"math/big"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Outcome is what a server chooses in a successful handshake with a
// client, as a simulation records it.
type Outcome struct {
	Version, Suite uint16
	// Group is the TLS 1.3 key share group or the TLS 1.2 ECDHE curve (0:
	// none); DHPrime the prime of a TLS 1.2 DHE key exchange (nil: none).
	Group   uint16
	DHPrime *big.Int
	ALPN    string
	// HelloRetry: the server asked for a share for Group first.
	HelloRetry bool
	// LeafSHA256 is the SHA-256 (hex) of the leaf certificate served.
	LeafSHA256 string
}

// Derived is the record Simulate makes of p against a server known to
// answer it with o, without a connection: the fields are set by the same
// code as a replay's, and Derived is set.
func Derived(p Profile, o Outcome) obs.ClientSimulation {
	res := obs.ClientSimulation{Client: p.Meta.Label, ID: p.ID, Source: p.Source, Reference: p.Meta.Reference, Origin: p.Meta.Origin, Derived: true}
	res.HelloRetry = o.HelloRetry
	setChoice(&res, o.Version, o.Suite)
	setKeyExchange(&res, o.Suite)
	res.ALPN = o.ALPN
	switch {
	case o.Group != 0:
		setGroup(&res, o.Group)
	case o.DHPrime != nil:
		setDH(&res, o.DHPrime)
	}
	res.LeafSHA256 = o.LeafSHA256
	res.OK = true
	return res
}
