package scan

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"slices"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// quickShareGroups get real key shares in the quick hello, as Chrome's and
// Go's clients send them: X25519MLKEM768 and x25519, which nearly every
// TLS 1.3 server accepts, so that no HelloRetryRequest is needed (servers
// that prefer the hybrid, such as Go, OpenSSL 3.5 and large CDNs, would ask
// for it with one: a second round trip and a second hello to process). The
// hybrid's X25519 half reuses the x25519 key, so it costs one ML-KEM key
// generation. A server with neither (P-256 only, say) asks for its group
// with a HelloRetryRequest, answered on the same connection.
var (
	quickShareGroups = []uint16{0x001d}
	quickHybrid      = wire.GroupX25519MLKEM768
)

// runQuick is the quick audit (Options.Quick): one connection, one full
// handshake at the best protocol the server accepts, recording protocol,
// suite, group and chain. It enumerates nothing and runs no probe, so the
// observation says nothing about what the server does not accept
// (Mode = quick). A server that refuses the combined TLS 1.3/1.2 hello
// (version-intolerant stacks) gets a second, TLS 1.2-style hello.
func (a *audit) runQuick(ctx context.Context) {
	a.protocols = map[uint16]*obs.Protocol{}
	a.chainKeys = map[string]bool{}
	a.dhKeys = map[string]int{}
	o := a.o
	o.Mode = obs.ModeQuick
	ctx = withPhase(ctx, "quick")
	p, refused, err := a.quickHandshake(ctx, true)
	if p == nil && refused && err == nil {
		p, _, _ = a.quickHandshake(ctx, false)
	}
	if p == nil {
		o.Status, o.Error = a.failureStatus()
		return
	}
	o.Status = obs.StatusOK
	o.Protocols = []obs.Protocol{*p}
	o.Handshake = a.bestHandshake()
}

// quickHandshake runs one handshake; with tls13 the hello offers TLS 1.3 to
// 1.0 at once (and answers a HelloRetryRequest on the same connection).
func (a *audit) quickHandshake(ctx context.Context, tls13 bool) (*obs.Protocol, bool, error) {
	raw, err := a.ep.dial(ctx)
	if err != nil {
		_, refused, err := a.answer(nil, err)
		return nil, refused, err
	}
	defer raw.Close()
	// The connection ends with this handshake, so its reads may go ahead:
	// one read takes what the server flushed (HelloRetryRequest, or
	// ServerHello to Finished) instead of two per record (15 read calls
	// per quick audit otherwise, against 3 for crypto/tls).
	br := quickReaders.Get().(*bufio.Reader)
	br.Reset(raw)
	defer func() {
		br.Reset(nil)
		quickReaders.Put(br)
	}()
	c := bufferedConn{Conn: raw, r: br}
	ch := a.ep.helloTLS(registry.VersionTLS12, suitesToOffer(registry.VersionTLS12))
	var privs []*wire.KeySharePrivate
	if tls13 {
		var shares []wire.KeyShare
		for _, g := range quickShareGroups {
			share, priv, err := wire.GenerateKeyShare(rand.Reader, g)
			if err != nil {
				return nil, false, err
			}
			shares, privs = append(shares, share), append(privs, priv)
		}
		hybrid, hpriv, err := wire.GenerateKeyShareReusing(rand.Reader, quickHybrid, privs)
		if err != nil {
			return nil, false, err
		}
		shares, privs = append([]wire.KeyShare{hybrid}, shares...), append([]*wire.KeySharePrivate{hpriv}, privs...)
		groups := append([]uint16{quickHybrid}, quickShareGroups...)
		for _, g := range append(slices.Clone(realShareGroups), ecGroupsToOffer()...) {
			if !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
		}
		ch13 := a.ep.hello13(append(slices.Clone(tls13Suites), ch.CipherSuites...), groups, sigAlgsToOffer(false), shares)
		ch13.SupportedVersions = []uint16{registry.VersionTLS13, registry.VersionTLS12, registry.VersionTLS11, registry.VersionTLS10}
		ch13.ExtendedMasterSecret, ch13.SessionTicket = true, true
		ch = ch13
	}
	f, err := wire.Exchange(c, ch, privs, wire.StopAfterServerHelloDone)
	if err == nil && f.HelloRetryRequest != nil && f.Alert == nil {
		hrr := f.HelloRetryRequest
		if !slices.Contains(realShareGroups, hrr.SelectedGroup) {
			err = fmt.Errorf("the server asked (HelloRetryRequest) for a key share of %s, which tlsaudit cannot make", registry.GroupName(hrr.SelectedGroup))
		} else {
			share, priv, gerr := wire.GenerateKeyShareReusing(rand.Reader, hrr.SelectedGroup, privs)
			if gerr != nil {
				return nil, false, gerr
			}
			privs = []*wire.KeySharePrivate{priv}
			f, err = wire.ContinueAfterRetry(c, f, ch.ForRetry(hrr, share), privs, wire.StopAfterServerHelloDone)
		}
	}
	ok, refused, err := a.answer(f, err)
	if !ok {
		return nil, refused, err
	}
	sh := f.ServerHello
	v := sh.NegotiatedVersion()
	suite, _ := registry.SuiteByID(sh.CipherSuite)
	p := &obs.Protocol{Name: registry.Version(v).String(), Version: v, Supported: true}
	s := suiteRecord(sh.CipherSuite)
	if v == registry.VersionTLS13 {
		if f.Certificate == nil || f.CertificateVerify == nil {
			return nil, false, a.quickFail(fmt.Errorf("TLS 1.3 handshake ended before the server's Certificate and CertificateVerify (messages: %v)", f.Messages))
		}
		var scts [][]byte
		if len(f.Certificate.SCTs) > 0 {
			scts = f.Certificate.SCTs[0]
		}
		sa, _ := registry.SigAlgByID(f.CertificateVerify.SigAlg)
		a.addChain(v, keyTypeOfSig(sa), f.Certificate.Certificates, f.CertificateStatus, scts)
		group := sh.KeyShare.Group
		s.KeyExchange = &obs.KeyExchange{Kind: "ECDHE", Group: registry.GroupName(group)}
		if g, ok := registry.GroupByID(group); ok {
			s.KeyExchange.Bits = g.Bits
		}
		a.noteHandshake(v, sh, registry.GroupName(group), f.EncryptedExtensions)
	} else {
		s.KeyExchange = a.learnTLS(v, f)
		if f.Certificate == nil && !suite.Anonymous {
			a.probeError("quick", fmt.Errorf("the server sent no Certificate with %s", suite.Name))
		}
	}
	p.Suites = []obs.Suite{s}
	return p, false, nil
}

// bufferedConn reads through r (read ahead), writes straight to Conn.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// quickReaders are the read buffers of quick handshakes (one record's worth).
var quickReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10+5) }}

// quickFail records a broken handshake as a failure of the audit.
func (a *audit) quickFail(err error) error {
	a.mu.Lock()
	a.failures = append(a.failures, err)
	a.mu.Unlock()
	return err
}
