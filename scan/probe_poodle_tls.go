package scan

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// POODLE over TLS (CVE-2014-8730 and vendor variants): a server that checks
// only the last padding byte of CBC records accepts a record whose other
// padding bytes are wrong but whose MAC is right. As SSL Labs does, the
// probe sends such a record after a completed handshake, and compares the
// answer with a well-formed record's on another connection.

func init() {
	registerProbe(poodleName, probePoodleTLS, inSessionProbes(func(p *obs.SessionProbes, r *obs.CBCRecordResult) { p.PoodleTLS = r }))
}

func probePoodleTLS(ctx context.Context, e *probeEnv) *obs.CBCRecordResult {
	return e.cbcRecordProbe(ctx, true, func(s *wire.Suite12) wire.CBCRecord {
		// Empty content: MAC + padding fill whole blocks; the padding is at
		// least 12 bytes (SHA-1), of which all but the length byte are wrong.
		n := 16 - s.MACLen()%16
		pad := make([]byte, n)
		for i := range pad {
			pad[i] = byte(n-1) ^ 0x55
		}
		pad[n-1] = byte(n - 1)
		return wire.CBCRecord{Padding: pad}
	}, poodleKeep)
}

// poodleKeep selects POODLE's suites: any AES-CBC one.
func poodleKeep(*wire.Suite12) bool { return true }

// poodleName owns the baseline connections the CBC record probes share.
const poodleName = "poodle_tls"

// baselineKey names a shared baseline: a well-formed empty record after a
// handshake with c.
type baselineKey struct{ c suiteChoice }

// cbcRecordProbe runs, for each TLS 1.0–1.2 version with an AES-CBC suite
// usable by Client12 and matching keep, a baseline (well-formed empty
// record) and a malformed record (shape(suite)) on fresh connections. Each
// record is followed by close_notify; the first answer is recorded.
//
// owner is set for POODLE's probe, which makes the baselines it shares.
func (e *probeEnv) cbcRecordProbe(ctx context.Context, owner bool, shape func(*wire.Suite12) wire.CBCRecord, keep func(*wire.Suite12) bool) *obs.CBCRecordResult {
	res := &obs.CBCRecordResult{}
	choices := e.client12Choices(func(s *wire.Suite12) bool { return !s.GCM && keep(s) })
	if len(choices) == 0 {
		res.Attempt = e.noCBCChoice("AES-CBC with HMAC-SHA1/SHA-256/SHA-384 and RSA or ECDHE key exchange")
		if res.Attempt.Status == obs.AttemptInconclusive && !e.acceptedAny(func(s registry.Suite) bool {
			return s.BlockBits > 0 && s.MAC != "AEAD" && !strings.HasPrefix(s.Cipher, "AES")
		}) {
			// Only AES-CBC suites are accepted.
			res.Attempt.Reason = "the accepted AES-CBC suites use a key exchange or MAC the probe does not implement"
		}
		return res
	}
	// The baseline is the same for every probe of this kind on the same
	// version and suite: POODLE's probe makes it for its versions, and the
	// others take its answer where their suite is the same.
	var poodle []suiteChoice
	if e.shared != nil && e.shared.runs(poodleName) {
		poodle = e.client12Choices(func(s *wire.Suite12) bool { return !s.GCM && poodleKeep(s) })
	}
	// Every version's baseline and malformed record at once: none depends
	// on another.
	tests := make([]obs.CBCRecordTest, len(choices))
	errs := make([][2]error, len(choices))
	var wg sync.WaitGroup
	for i, c := range choices {
		st, _ := wire.LookupSuite12(c.suite)
		tests[i] = obs.CBCRecordTest{Protocol: registry.Version(c.version).String(), Suite: registry.SuiteName(c.suite)}
		shared := slices.Contains(poodle, c)
		if shared && !owner {
			tests[i].DerivedFrom = poodleName
		}
		wg.Go(func() {
			if !shared {
				tests[i].Baseline, errs[i][0] = e.cbcRecordAttempt(ctx, c, wire.CBCRecord{})
				return
			}
			// Counted as POODLE's connection whichever probe asks first.
			octx := withPhase(ctx, "probe:"+poodleName)
			r, err := e.shared.do(baselineKey{c}, func() (any, error) { return e.cbcRecordAttempt(octx, c, wire.CBCRecord{}) })
			tests[i].Baseline, _ = r.(string)
			errs[i][0] = err
		})
		wg.Go(func() { tests[i].Malformed, errs[i][1] = e.cbcRecordAttempt(ctx, c, shape(st)) })
	}
	wg.Wait()
	for i := range choices {
		res.Connections += 2
		if tests[i].DerivedFrom != "" {
			res.Connections--
		}
		if err := cmp.Or(errs[i][0], errs[i][1]); err != nil {
			res.Attempt = attemptError(err)
			res.Tests = nil
			return res
		}
		res.Tests = append(res.Tests, tests[i])
	}
	res.Status = obs.AttemptCompleted
	return res
}

func (e *probeEnv) cbcRecordAttempt(ctx context.Context, c suiteChoice, tw wire.CBCRecord) (string, error) {
	s, sendErr, err := e.dial12Record(ctx, c, func(s *session12) error {
		if err := s.WriteCBC(wire.RecordApplicationData, nil, tw); err != nil {
			return err
		}
		s.SendAlert(wire.AlertLevelWarning, wire.AlertCloseNotify)
		return nil
	})
	if err != nil {
		return "", err
	}
	defer s.conn.Close()
	if sendErr != nil {
		return response(sendErr), nil
	}
	waitAtMost(s.conn, robotWait)
	if _, err := s.Read(); err != nil {
		return response(err), nil
	}
	return "data", nil
}
