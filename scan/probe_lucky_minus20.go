package scan

import (
	"context"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// OpenSSL "Lucky Minus 20" (CVE-2016-2107): the AES-NI CBC code of OpenSSL
// 1.0.1 before 1.0.1t / 1.0.2 before 1.0.2h mis-checks a record made of
// padding only (no room for the MAC). A patched server answers such a
// record with bad_record_mac; a vulnerable one with record_overflow (method
// of FiloSottile/CVE-2016-2107). The record here is two blocks of 0x1f.

func init() {
	registerProbe("lucky_minus20", probeLuckyMinus20, inSessionProbes(func(p *obs.SessionProbes, r *obs.CBCRecordResult) { p.LuckyMinus20 = r }))
}

func probeLuckyMinus20(ctx context.Context, e *probeEnv) *obs.CBCRecordResult {
	pad := make([]byte, 32)
	for i := range pad {
		pad[i] = 31
	}
	return e.cbcRecordProbe(ctx, false, func(*wire.Suite12) wire.CBCRecord {
		return wire.CBCRecord{NoMAC: true, Padding: pad}
	}, func(s *wire.Suite12) bool {
		// The bug is in the SHA-1 and SHA-256 stitched AES-NI paths.
		return s.MACLen() == 20 || s.MACLen() == 32
	})
}
