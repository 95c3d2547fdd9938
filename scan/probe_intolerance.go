package scan

import (
	"context"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Version and extension intolerance: variants of one plain hello, each on
// its own connection, compared with that plain hello (SSL Labs
// protocolIntolerance/miscIntolerance, RFC 8701 GREASE): a higher
// legacy_version without supported_versions (TLS 1.3's 0x0304, and 0x0305),
// hellos padded to 300 bytes (the 256-511 byte range some stacks choke on)
// and to 1800 bytes (the size of post-quantum hellos), an unknown extension,
// and GREASE values everywhere. About seven connections, run together.

func init() {
	registerProbe("intolerance", probeIntolerance, inHandshakeProbes(func(p *obs.HandshakeProbes, r *obs.IntoleranceResult) { p.Intolerance = r }))
}

// unknownExtension is an unassigned extension code point (not GREASE).
const unknownExtension = 0x4a4b

type helloVariant struct {
	name   string
	modify func(ch *wire.ClientHello)
}

func probeIntolerance(ctx context.Context, e *probeEnv) (res *obs.IntoleranceResult) {
	res = &obs.IntoleranceResult{}
	v, suites, legacy := e.bestLegacy()
	var base func() *wire.ClientHello
	switch {
	case legacy && v >= registry.VersionTLS10:
		base = func() *wire.ClientHello { return e.ep.helloTLS(v, suites) }
	case e.supported(registry.VersionTLS13).Supported:
		v = registry.VersionTLS13
		suites13 := protoSuiteIDs(e.supported(registry.VersionTLS13))
		base = func() *wire.ClientHello { return e.ep.hello13(suites13, tls13GroupsToOffer(), nil, nil) }
	default:
		res.Attempt = attemptFor(obs.AttemptNotApplicable, "no TLS version (1.0 or later) is accepted")
		return
	}
	res.Baseline = registry.Version(v).String()
	variants := []helloVariant{
		{obs.VariantBaseline, func(*wire.ClientHello) {}},
		{obs.VariantLong300, func(ch *wire.ClientHello) { ch.PaddingTo = 300 }},
		{obs.VariantLong1800, func(ch *wire.ClientHello) { ch.PaddingTo = 1800 }},
		{obs.VariantUnknownExt, func(ch *wire.ClientHello) {
			ch.ExtraExtensions = append(ch.ExtraExtensions, wire.Extension{Type: unknownExtension, Data: []byte{0, 1, 2, 3}})
		}},
		{obs.VariantGREASE, func(ch *wire.ClientHello) { ch.GREASE = true }},
	}
	if v != registry.VersionTLS13 {
		variants = append(variants,
			helloVariant{obs.VariantTLS13NoSV, func(ch *wire.ClientHello) { ch.Version = registry.VersionTLS13 }},
			helloVariant{obs.VariantTLS14, func(ch *wire.ClientHello) { ch.Version = 0x0305 }})
	}
	res.Tests = make([]obs.HelloVariant, len(variants))
	var wg sync.WaitGroup
	var dialErr error
	var mu sync.Mutex
	// The baseline is the plain hello, whose answer discovery may have.
	var derived *wire.ServerHello
	if v != registry.VersionTLS13 {
		derived = e.plainHello(v)
	}
	res.Connections = len(variants)
	for i, hv := range variants {
		wg.Go(func() {
			ch := base()
			hv.modify(ch)
			t := obs.HelloVariant{Name: hv.name}
			if msg, err := ch.Marshal(); err == nil {
				t.Length = len(msg) - 4
			}
			if i == 0 && derived != nil {
				t.Accepted, t.Negotiated, t.DerivedFrom = true, registry.Version(derived.NegotiatedVersion()).String(), derivedFromDiscovery
				res.Tests[i] = t
				return
			}
			f, err := e.ep.exchange(ctx, ch, nil, wire.StopAfterServerHello)
			switch {
			case err == nil && f.ServerHello != nil:
				t.Accepted = true
				t.Negotiated = registry.Version(f.ServerHello.NegotiatedVersion()).String()
			case fatalOrDial(err):
				mu.Lock()
				dialErr = err
				mu.Unlock()
				t.Answer = "error:" + err.Error()
			default:
				t.Answer = noAnswer(f, err)
			}
			res.Tests[i] = t
		})
	}
	wg.Wait()
	if derived != nil {
		res.Connections--
	}
	switch {
	case dialErr != nil:
		res.Status, res.Reason = obs.AttemptError, dialErr.Error()
	case !res.Tests[0].Accepted:
		res.Status = obs.AttemptInconclusive
		res.Reason = "the baseline hello was refused (" + res.Tests[0].Answer + "), so the variants cannot be compared"
	default:
		res.Status = obs.AttemptCompleted
	}
	return
}
