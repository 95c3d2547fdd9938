package tlstest

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Scripted CBC padding oracles of the 2019 research (Tripwire, Craig
// Young: Zombie POODLE, GOLDENDOODLE, Sleeping POODLE; CVE-2019-1559) and
// OpenSSL's Lucky Minus 20 (CVE-2016-2107). A correct server answers every
// bad record with the same bad_record_mac alert; each mode below gives one
// kind of bad record an answer an attacker on the wire can tell apart:
//
//   - "zombie": a record with a valid MAC but invalid padding is answered
//     by closing the connection without an alert (MAC validity observable
//     behind bad padding);
//   - "goldendoodle": a record with valid padding and a bad MAC gets
//     bad_record_mac, one with invalid padding a bare close (padding
//     validity observable);
//   - "sleeping": a record with a valid MAC but invalid padding is ignored,
//     so the client waits until it gives up;
//   - "zero_length": a record with no content, valid padding and a bad MAC
//     is answered by a bare close (the OpenSSL 1.0.2 0-byte record case).
//
// The first three act on records with content only, the last on empty
// records only, so that each mode shows exactly one oracle.
func badRecordHook(mode string, luckyMinus20 bool) (func(wire.CBCFault) wire.BadRecordAnswer, error) {
	var oracle func(wire.CBCFault) wire.BadRecordAnswer
	closeIf := func(c bool) wire.BadRecordAnswer { return wire.BadRecordAnswer{Close: c} }
	switch mode {
	case "":
	case "zombie":
		oracle = func(f wire.CBCFault) wire.BadRecordAnswer {
			return closeIf(f.ContentLen > 0 && f.MACOK && !f.PaddingOK)
		}
	case "goldendoodle":
		oracle = func(f wire.CBCFault) wire.BadRecordAnswer {
			return closeIf(f.ContentLen > 0 && !f.PaddingOK)
		}
	case "sleeping":
		oracle = func(f wire.CBCFault) wire.BadRecordAnswer {
			return wire.BadRecordAnswer{Ignore: f.ContentLen > 0 && f.MACOK && !f.PaddingOK}
		}
	case "zero_length":
		oracle = func(f wire.CBCFault) wire.BadRecordAnswer {
			return closeIf(f.MACFits && f.ContentLen == 0 && f.PaddingOK && !f.MACOK)
		}
	default:
		return nil, fmt.Errorf("tlstest: unknown CBC oracle mode %q", mode)
	}
	if !luckyMinus20 {
		return oracle, nil
	}
	return func(f wire.CBCFault) wire.BadRecordAnswer {
		if f.PaddingOnly() {
			return wire.BadRecordAnswer{Alert: wire.AlertRecordOverflow}
		}
		if oracle != nil {
			return oracle(f)
		}
		return wire.BadRecordAnswer{}
	}, nil
}
