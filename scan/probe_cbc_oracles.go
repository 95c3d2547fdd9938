package scan

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// CBC padding oracles of the 2019 research (Craig Young, Tripwire: Zombie
// POODLE, GOLDENDOODLE, Sleeping POODLE; OpenSSL's 0-byte record oracle
// CVE-2019-1559), the way SSL Labs and Tripwire's padcheck look for them:
// after a completed handshake with a CBC suite, send one malformed record
// (obs.CBCOracleVariants: bad MAC, bad padding, both, a 0-length record
// with either, a padding length running past the record) on its own
// connection and record how the server answers. A correct server answers
// them all alike; checks/vuln compares the answers. The whole pass runs
// twice so that checks can require consistent answers.

// cbcOracleWait bounds the wait for each answer. Correct servers answer a
// bad record at once; Sleeping POODLE is a server that does not answer one
// kind of record at all.
const (
	cbcOracleWait   = 1 * time.Second
	cbcOracleRounds = 2
)

func init() {
	registerProbe("cbc_oracles", probeCBCOracles, inSessionProbes(func(p *obs.SessionProbes, r *obs.CBCOraclesResult) { p.CBCOracles = r }))
}

func probeCBCOracles(ctx context.Context, e *probeEnv) (res *obs.CBCOraclesResult) {
	res = &obs.CBCOraclesResult{}
	// Prefer HMAC-SHA1/SHA-256 suites (the common ones, as padcheck does),
	// the highest protocol first.
	choices := e.client12Choices(func(s *wire.Suite12) bool { return !s.GCM && s.MACLen() <= 32 })
	if len(choices) == 0 {
		choices = e.client12Choices(func(s *wire.Suite12) bool { return !s.GCM })
	}
	if len(choices) == 0 {
		res.Attempt = e.noCBCChoice("AES-CBC with HMAC and RSA or ECDHE key exchange")
		return
	}
	c := choices[0]
	st, _ := wire.LookupSuite12(c.suite)
	res.Protocol, res.Suite, res.WaitMS = registry.Version(c.version).String(), registry.SuiteName(c.suite), cbcOracleWait.Milliseconds()
	records := cbcOracleRecords(st, hostHeader(e.target, e.target.Port, 443))
	// Every connection of every round at once: none depends on another.
	rounds := make([]obs.CBCOracleRound, cbcOracleRounds)
	errs := make([][]error, cbcOracleRounds)
	var wg sync.WaitGroup
	for k := range rounds {
		rounds[k] = obs.CBCOracleRound{Responses: make([]string, len(records)), ElapsedMS: make([]int64, len(records))}
		errs[k] = make([]error, len(records))
		for i, r := range records {
			wg.Go(func() {
				rounds[k].Responses[i], rounds[k].ElapsedMS[i], errs[k][i] = e.cbcOracleAttempt(ctx, c, r)
			})
		}
	}
	wg.Wait()
	for k := range rounds {
		res.Connections += len(records)
		for _, err := range errs[k] {
			if err != nil {
				res.Attempt = attemptError(err)
				res.Attempt.Connections = res.Connections
				res.Rounds = nil
				return
			}
		}
		res.Rounds = append(res.Rounds, rounds[k])
	}
	res.Status = obs.AttemptCompleted
	return
}

// noCBCChoice explains why no CBC probe can run: no CBC suite accepted in
// TLS 1.0-1.2 (not applicable), or none the probe can use (inconclusive;
// needs says what the probe needs).
func (e *probeEnv) noCBCChoice(needs string) obs.Attempt {
	cbc := func(s registry.Suite) bool { return s.BlockBits > 0 && s.MAC != "AEAD" }
	if e.acceptedAny(cbc) {
		return obs.Attempt{Status: obs.AttemptInconclusive, Reason: "CBC suites are accepted, but none the probe can use (it needs " + needs + ")"}
	}
	return obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "no CBC suite accepted in TLS 1.0-1.2"}
}

// cbcOracleRecord is one malformed record: its content and shape.
type cbcOracleRecord struct {
	content []byte
	shape   wire.CBCRecord
}

// cbcOracleRecords builds the records of obs.CBCOracleVariants for suite
// st. The request is sized so that content and MAC end on a block
// boundary: valid padding is then a whole block.
func cbcOracleRecords(st *wire.Suite12, host string) []cbcOracleRecord {
	const block = 16
	m := st.MACLen()
	build := func(path string) []byte {
		return []byte("GET /" + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
	}
	req := build("")
	if over := (len(req) + m) % block; over != 0 {
		req = build(strings.Repeat("a", block-over))
	}
	// badPad is n bytes of padding whose length byte is right and whose
	// other bytes are not.
	badPad := func(n int) []byte {
		p := bytes.Repeat([]byte{byte(n-1) ^ 0x55}, n)
		p[n-1] = byte(n - 1)
		return p
	}
	zeroPad := block - m%block // padding of an empty record
	records := map[string]cbcOracleRecord{
		"bad_mac":          {req, wire.CBCRecord{FlipMAC: true}},
		"bad_pad":          {req, wire.CBCRecord{Padding: badPad(block)}},
		"bad_mac_bad_pad":  {req, wire.CBCRecord{FlipMAC: true, Padding: badPad(block)}},
		"zero_len_bad_mac": {nil, wire.CBCRecord{FlipMAC: true}},
		"zero_len_bad_pad": {nil, wire.CBCRecord{Padding: badPad(zeroPad)}},
		// No MAC: MAC-sized filler instead, then a block of 0xff (padding
		// length 255, longer than the record).
		"pad_overflow": {append(bytes.Clone(req), make([]byte, m)...), wire.CBCRecord{NoMAC: true, Padding: bytes.Repeat([]byte{0xff}, block)}},
	}
	out := make([]cbcOracleRecord, len(obs.CBCOracleVariants))
	for i, v := range obs.CBCOracleVariants {
		out[i] = records[v]
	}
	return out
}

// cbcOracleAttempt completes a handshake, sends r and returns how the
// server answered and how long it took. err is set only when the
// handshake failed.
func (e *probeEnv) cbcOracleAttempt(ctx context.Context, c suiteChoice, r cbcOracleRecord) (string, int64, error) {
	var start time.Time
	s, sendErr, err := e.dial12Record(ctx, c, func(s *session12) error {
		start = time.Now()
		return s.WriteCBC(wire.RecordApplicationData, r.content, r.shape)
	})
	if err != nil {
		return "", 0, err
	}
	defer s.conn.Close()
	if sendErr != nil {
		return response(sendErr), time.Since(start).Milliseconds(), nil
	}
	waitAtMost(s.conn, cbcOracleWait)
	_, err = s.Read()
	elapsed := time.Since(start).Milliseconds()
	if err != nil {
		return response(err), elapsed, nil
	}
	return "data", elapsed, nil
}
