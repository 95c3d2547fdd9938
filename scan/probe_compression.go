package scan

import (
	"context"
	"fmt"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// TLS compression (CRIME, CVE-2012-4929): offer DEFLATE (1) and LZS (64)
// before null (RFC 3749, RFC 3943) at the best version below TLS 1.3 (TLS
// 1.3 has no compression) and record the method chosen. One connection.

func init() {
	registerProbe("compression", probeCompression, inHandshakeProbes(func(p *obs.HandshakeProbes, r *obs.CompressionResult) { p.Compression = r }))
}

var compressionOffer = []uint8{1, 64, 0}

func probeCompression(ctx context.Context, e *probeEnv) (res *obs.CompressionResult) {
	res = &obs.CompressionResult{}
	v, _, sh := e.legacyHello(ctx, &res.Attempt, "no protocol below TLS 1.3 is accepted (TLS 1.3 has no compression)",
		func(ch *wire.ClientHello) { ch.CompressionMethods = compressionOffer })
	if sh == nil {
		return
	}
	res.Version = registry.Version(v).String()
	res.Offered = compressionOffer
	res.Method = sh.Compression
	if res.Method != 0 && res.Method != 1 && res.Method != 64 {
		res.Status = obs.AttemptInconclusive
		res.Reason = fmt.Sprintf("the server chose compression method %d, which was not offered", res.Method)
	}
	return
}
