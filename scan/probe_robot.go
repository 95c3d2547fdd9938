package scan

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// ROBOT (Böck, Somorovsky, Young 2017; CVE-2017-13099 and others): send five
// ClientKeyExchange messages whose RSA plaintexts are valid or broken in
// different ways of PKCS#1 v1.5, each followed by ChangeCipherSpec and a
// Finished the server cannot verify, and record how the server answers. A
// server without an oracle answers all five alike. Two rounds are recorded
// so that checks can tell an oracle from noise.

const (
	robotRounds = 2
	// robotWait bounds the wait for each answer: vulnerable servers often
	// answer one case by waiting for more data.
	robotWait = 3 * time.Second
)

func init() {
	registerProbe("robot", probeROBOT, inSessionProbes(func(p *obs.SessionProbes, r *obs.ROBOTResult) { p.ROBOT = r }))
}

func probeROBOT(ctx context.Context, e *probeEnv) (res *obs.ROBOTResult) {
	res = &obs.ROBOTResult{}
	choices := e.client12Choices(func(s *wire.Suite12) bool { return s.Kx == "RSA" && s.GCM })
	choices = append(choices, e.client12Choices(func(s *wire.Suite12) bool { return s.Kx == "RSA" })...)
	if len(choices) == 0 {
		if e.acceptedAny(func(s registry.Suite) bool { return s.Kx == "RSA" && !s.Export }) {
			res.Attempt = obs.Attempt{Status: obs.AttemptInconclusive,
				Reason: "RSA key exchange is accepted, but only with suites the probe cannot protect records with (it needs AES-CBC or AES-GCM)"}
			return
		}
		res.Attempt = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "no RSA key-exchange suite accepted"}
		return
	}
	c := choices[0]
	res.Protocol, res.Suite = registry.Version(c.version).String(), registry.SuiteName(c.suite)
	// Every connection of every round at once: none depends on another.
	rounds := make([]obs.ROBOTRound, robotRounds)
	errs := make([][]error, robotRounds)
	var wg sync.WaitGroup
	for r := range rounds {
		rounds[r] = obs.ROBOTRound{Responses: make([]string, len(obs.ROBOTVariants))}
		errs[r] = make([]error, len(obs.ROBOTVariants))
		for i := range obs.ROBOTVariants {
			wg.Go(func() { rounds[r].Responses[i], errs[r][i] = e.robotAttempt(ctx, c, i) })
		}
	}
	wg.Wait()
	for r := range rounds {
		res.Connections += len(obs.ROBOTVariants)
		for _, err := range errs[r] {
			if err != nil {
				res.Attempt = attemptError(fmt.Errorf("ROBOT (%s %s): %w", res.Protocol, res.Suite, err))
				res.Rounds = nil
				return
			}
		}
		res.Rounds = append(res.Rounds, rounds[r])
	}
	res.Status = obs.AttemptCompleted
	return
}

// robotAttempt runs one variant on a fresh connection. err is set when the
// probe could not get as far as sending the ClientKeyExchange.
func (e *probeEnv) robotAttempt(ctx context.Context, c suiteChoice, variant int) (string, error) {
	s, err := e.dial12(ctx, c, false)
	if err != nil {
		return "", err
	}
	defer s.conn.Close()
	pub, err := s.ServerRSAKey()
	if err != nil {
		return "", err
	}
	enc, err := robotCiphertext(pub, e.hello12(c).Version, variant)
	if err != nil {
		return "", err
	}
	// Keys from a premaster the server cannot know: the Finished is wrong
	// whatever the server decrypted, so only the padding check can matter.
	pms := make([]byte, 48)
	rand.Read(pms)
	if err := s.SendKeyExchange(wire.RSAKeyExchangeBody(enc), pms); err != nil {
		return response(err), nil
	}
	waitAtMost(s.conn, robotWait)
	err = s.ReadServerFinished()
	if err == nil {
		return "handshake_completed", nil
	}
	return response(err), nil
}

// robotPlaintext builds the PKCS#1 v1.5 block of one variant for a k-byte
// modulus (the robot-detect layouts).
func robotPlaintext(k int, version uint16, variant int) ([]byte, error) {
	if k < 64 {
		return nil, fmt.Errorf("RSA modulus of %d bytes is too small", k)
	}
	nonzero := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		for i := range b {
			for b[i] == 0 {
				var x [1]byte
				rand.Read(x[:])
				b[i] = x[0]
			}
		}
		return b
	}
	random := func(n int) []byte { return nonzero(n) }
	pad := nonzero(k - 3 - 48)
	ver := []byte{byte(version >> 8), byte(version)}
	var m []byte
	switch variant {
	case 0: // valid
		m = slices.Concat([]byte{0, 2}, pad, []byte{0}, ver, random(46))
	case 1: // wrong first two bytes
		m = slices.Concat([]byte{0x41, 0x17}, pad, []byte{0}, ver, random(46))
	case 2: // 0x00 in a wrong position (a 1-byte "premaster")
		m = slices.Concat([]byte{0, 2}, pad, []byte{0x11}, random(46), []byte{0, 0x11})
	case 3: // no 0x00 separator at all
		m = slices.Concat([]byte{0, 2}, pad, []byte{0x11, 0x11, 0x11}, random(46))
	case 4: // wrong premaster version
		m = slices.Concat([]byte{0, 2}, pad, []byte{0, 2, 2}, random(46))
	default:
		return nil, fmt.Errorf("unknown ROBOT variant %d", variant)
	}
	return m, nil
}

// robotCiphertext encrypts the variant's plaintext with raw RSA.
func robotCiphertext(pub *rsa.PublicKey, version uint16, variant int) ([]byte, error) {
	k := pub.Size()
	m, err := robotPlaintext(k, version, variant)
	if err != nil {
		return nil, err
	}
	c := new(big.Int).Exp(new(big.Int).SetBytes(m), big.NewInt(int64(pub.E)), pub.N)
	return c.FillBytes(make([]byte, k)), nil
}
