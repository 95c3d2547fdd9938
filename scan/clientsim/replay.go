package clientsim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"slices"
	"syscall"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Replay is a captured hello prepared for one connection: fresh random,
// session ID and key shares, the target's server name, no resumption.
type Replay struct {
	Hello *Hello
	// Raw is the hello to send (a modified copy of Hello.Raw).
	Raw *wire.RawClientHello
	// Privs are the private halves of the fresh key shares (nil entries for
	// groups wire can only fill with random bytes).
	Privs []*wire.KeySharePrivate
	rand  io.Reader
}

// Prepare makes the hello of h ready to send to a server named sni (""
// removes server_name, as clients do for IP addresses): fresh random,
// session ID of the same length, fresh key shares for the same groups (same
// lengths; GREASE entries stay GREASE), pre_shared_key and early_data
// removed, a session ticket emptied, and padding recomputed by the rule the
// client followed. Suites, groups, extensions and their order, GREASE
// positions included, are kept. r nil means crypto/rand.
func Prepare(h *Hello, sni string, r io.Reader) (*Replay, error) {
	if r == nil {
		r = rand.Reader
	}
	src := h.Raw
	out := *src
	out.Random = make([]byte, 32)
	out.SessionID = make([]byte, len(src.SessionID))
	if _, err := io.ReadFull(r, out.Random); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(r, out.SessionID); err != nil {
		return nil, err
	}
	rp := &Replay{Hello: h, Raw: &out, rand: r}
	out.Extensions = nil
	for _, e := range src.Extensions {
		switch e.Type {
		case wire.ExtServerName:
			if sni == "" {
				continue
			}
			e.Data = serverNameData(sni)
		case wire.ExtPreSharedKey, wire.ExtEarlyData:
			continue // no session to resume
		case wire.ExtSessionTicket:
			e.Data = nil
		case wire.ExtKeyShare:
			data, privs, err := freshShares(src.KeyShares, r)
			if err != nil {
				return nil, err
			}
			e.Data, rp.Privs = data, privs
		}
		out.Extensions = append(out.Extensions, e)
	}
	out.ServerName = sni
	rp.pad()
	return rp, nil
}

func serverNameData(name string) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(0) // host_name
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(name)) })
	})
	return b.BytesOrPanic()
}

// freshShares makes a key_share extension with new shares for the groups
// of shares, each as long as the original.
func freshShares(shares []wire.KeyShare, r io.Reader) ([]byte, []*wire.KeySharePrivate, error) {
	var privs []*wire.KeySharePrivate
	b := cryptobyte.NewBuilder(nil)
	var ferr error
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, ks := range shares {
			data, priv, err := freshShare(ks, r)
			if err != nil {
				ferr = err
				return
			}
			if priv != nil {
				privs = append(privs, priv)
			}
			b.AddUint16(ks.Group)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(data) })
		}
	})
	if ferr != nil {
		return nil, nil, ferr
	}
	return b.BytesOrPanic(), privs, nil
}

// freshShare returns a new share for ks.Group of len(ks.Data) bytes: a real
// key when wire can make one of that length, random bytes otherwise (the
// server can still choose the group; the simulation then stops at the
// ServerHello, which says all it needs).
func freshShare(ks wire.KeyShare, r io.Reader) ([]byte, *wire.KeySharePrivate, error) {
	if !wire.IsGREASE(ks.Group) {
		if share, priv, err := wire.GenerateKeyShare(r, ks.Group); err == nil && len(share.Data) == len(ks.Data) {
			return share.Data, priv, nil
		}
	}
	data := make([]byte, len(ks.Data))
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, nil, err
	}
	if len(data) > 0 && len(ks.Data) > 0 && (ks.Data[0] == 4 && wire.KeyShareSize(ks.Group) == len(ks.Data)) {
		data[0] = 4 // keep an uncompressed point marker
	}
	return data, nil, nil
}

// pad recomputes the padding extension (RFC 7685) when the captured hello
// had one. Clients built on OpenSSL, BoringSSL, NSS and GnuTLS pad a hello
// of 256 to 511 bytes to 512 (the F5 workaround) and send none otherwise;
// other captured lengths are kept as the target length.
func (rp *Replay) pad() {
	orig, ok := rp.Hello.Raw.Extension(wire.ExtPadding)
	if !ok {
		return
	}
	i := slices.IndexFunc(rp.Raw.Extensions, func(e wire.Extension) bool { return e.Type == wire.ExtPadding })
	if i < 0 {
		return
	}
	origLen := len(rp.Hello.Msg)
	rp.Raw.Extensions[i].Data = nil
	msg, err := rp.Raw.Marshal()
	if err != nil {
		return
	}
	unpadded := len(msg) - 4 // without the padding extension
	target := origLen
	if origLen == 512 && origLen-4-len(orig) >= 256 {
		if unpadded < 256 || unpadded >= 512 {
			rp.Raw.Extensions = slices.Delete(rp.Raw.Extensions, i, i+1)
			return
		}
	}
	if n := target - len(msg); n > 0 {
		rp.Raw.Extensions[i].Data = make([]byte, n)
	}
}

// ClientHello is the hello to send with wire.Exchange (byte for byte Raw).
func (rp *Replay) ClientHello() *wire.ClientHello {
	return rp.Raw.ClientHello(rp.Hello.RecordVersion)
}

// Retry builds the second ClientHello answering a HelloRetryRequest (RFC
// 8446 4.1.2): key_share holds one fresh share for the selected group, the
// cookie is echoed right after it, early_data is gone (Prepare removed it)
// and padding is recomputed. It fails when the client would abort: a group
// it did not offer, or one it already sent a share for.
func (rp *Replay) Retry(hrr *wire.ServerHello) (*wire.ClientHello, []*wire.KeySharePrivate, error) {
	g := hrr.SelectedGroup
	if g != 0 {
		if !slices.Contains(rp.Hello.Raw.SupportedGroups, g) {
			return nil, nil, fmt.Errorf("the server asked (HelloRetryRequest) for group %s, which the client did not offer", registry.GroupName(g))
		}
		for _, ks := range rp.Hello.Raw.KeyShares {
			if ks.Group == g {
				return nil, nil, fmt.Errorf("the server asked (HelloRetryRequest) for group %s, for which the client had sent a share", registry.GroupName(g))
			}
		}
	}
	second := &Replay{Hello: rp.Hello, rand: rp.rand}
	raw := *rp.Raw
	raw.Extensions = nil
	for _, e := range rp.Raw.Extensions {
		if e.Type == wire.ExtCookie {
			continue
		}
		if e.Type == wire.ExtKeyShare && g != 0 {
			share, priv, err := wire.GenerateKeyShare(rp.rand, g)
			if err != nil {
				return nil, nil, err
			}
			e.Data = keyShareData(share)
			second.Privs = []*wire.KeySharePrivate{priv}
		} else if e.Type == wire.ExtKeyShare {
			second.Privs = rp.Privs
		}
		raw.Extensions = append(raw.Extensions, e)
		if e.Type == wire.ExtKeyShare && hrr.Cookie != nil {
			c := cryptobyte.NewBuilder(nil)
			c.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(hrr.Cookie) })
			raw.Extensions = append(raw.Extensions, wire.Extension{Type: wire.ExtCookie, Data: c.BytesOrPanic()})
		}
	}
	second.Raw = &raw
	second.pad()
	return second.Raw.ClientHello(registry.VersionTLS12), second.Privs, nil
}

func keyShareData(ks wire.KeyShare) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(ks.Group)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ks.Data) })
	})
	return b.BytesOrPanic()
}

// OfferedVersions lists the protocol versions the client accepts:
// supported_versions when sent (GREASE left out), else TLS 1.0 up to
// legacy_version (SSLv3 only when legacy_version is SSLv3).
func OfferedVersions(raw *wire.RawClientHello) []uint16 {
	if raw.SupportedVersions != nil {
		var out []uint16
		for _, v := range raw.SupportedVersions {
			if !wire.IsGREASE(v) {
				out = append(out, v)
			}
		}
		return out
	}
	if raw.Version <= registry.VersionSSL3 {
		return []uint16{raw.Version}
	}
	var out []uint16
	for v := uint16(registry.VersionTLS10); v <= raw.Version && v <= registry.VersionTLS12; v++ {
		out = append(out, v)
	}
	return out
}

// Simulate replays p over conn (already connected to the server; the
// caller sets deadlines and closes it) with server name sni, following a
// HelloRetryRequest as the client would, and reports what the client would
// have negotiated, or why it would fail.
func Simulate(conn io.ReadWriter, p Profile, sni string) obs.ClientSimulation {
	res := obs.ClientSimulation{Client: p.Meta.Label, ID: p.ID, Source: p.Source, Reference: p.Meta.Reference, Origin: p.Meta.Origin}
	rp, err := Prepare(p.Hello, sni, nil)
	if err != nil {
		res.Error = "error: " + err.Error()
		return res
	}
	f, err := wire.Exchange(conn, rp.ClientHello(), rp.Privs, wire.StopAfterServerKeyExchange)
	if err == nil && f.Alert == nil && f.HelloRetryRequest != nil {
		res.HelloRetry = true
		ch2, privs, rerr := rp.Retry(f.HelloRetryRequest)
		if rerr != nil {
			res.Error = rerr.Error()
			return res
		}
		f, err = wire.ContinueAfterRetry(conn, f, ch2, privs, wire.StopAfterServerKeyExchange)
	}
	judge(&res, p.Hello.Raw, f, err)
	return res
}

// judge fills res from the server's flight the way the client would see it.
func judge(res *obs.ClientSimulation, raw *wire.RawClientHello, f *wire.Flight, err error) {
	if f != nil && f.Alert != nil {
		res.Error = "alert:" + f.Alert.Name()
		if f.Alert.Description == 70 { // protocol_version
			res.Error = "no common protocol (alert:protocol_version)"
		}
		return
	}
	var sh *wire.ServerHello
	if f != nil {
		sh = f.ServerHello
	}
	if sh == nil || sh.IsHelloRetryRequest {
		res.Error = failure(err)
		return
	}
	v := sh.NegotiatedVersion()
	setChoice(res, v, sh.CipherSuite)
	switch {
	case !slices.Contains(OfferedVersions(raw), v):
		res.Error = fmt.Sprintf("no common protocol: the server chose %s, which the client does not accept", registry.Version(v).String())
		return
	case !slices.Contains(raw.CipherSuites, sh.CipherSuite):
		res.Error = fmt.Sprintf("the server chose %s, which the client did not offer", res.Suite)
		return
	}
	suite := setKeyExchange(res, sh.CipherSuite)
	res.ALPN = sh.ALPN
	if f.EncryptedExtensions != nil && f.EncryptedExtensions.ALPN != "" {
		res.ALPN = f.EncryptedExtensions.ALPN
	}
	if v == registry.VersionTLS13 {
		g := sh.KeyShare.Group // ParseServerHello requires it in TLS 1.3
		if !slices.ContainsFunc(raw.KeyShares, func(ks wire.KeyShare) bool { return ks.Group == g }) && !res.HelloRetry {
			res.Error = fmt.Sprintf("the server chose group %s, for which the client sent no share", registry.GroupName(g))
			return
		}
		setGroup(res, g)
	} else if len(f.ServerKeyExchange) > 0 {
		ske, perr := wire.ParseServerKeyExchange(f.ServerKeyExchange, suite.Kx, v)
		if perr != nil {
			res.Error = "error: " + perr.Error()
			return
		}
		switch {
		case ske.NamedCurve != 0:
			if raw.SupportedGroups != nil && !slices.Contains(raw.SupportedGroups, ske.NamedCurve) {
				res.Error = fmt.Sprintf("the server chose curve %s, which the client did not offer", registry.GroupName(ske.NamedCurve))
				return
			}
			setGroup(res, ske.NamedCurve)
		case len(ske.P) > 0:
			setDH(res, new(big.Int).SetBytes(ske.P))
		}
	}
	if f.Certificate != nil && len(f.Certificate.Certificates) > 0 {
		sum := sha256.Sum256(f.Certificate.Certificates[0])
		res.LeafSHA256 = hex.EncodeToString(sum[:])
	}
	if err != nil && !errors.Is(err, wire.ErrNoDecryptionKey) {
		// The ServerHello was fine but the rest of the flight was not.
		res.Error = failure(err)
		return
	}
	res.OK = true
}

// setChoice records the protocol and suite the server chose.
func setChoice(res *obs.ClientSimulation, v, suite uint16) {
	res.Protocol, res.SuiteID, res.Suite = registry.Version(v).String(), suite, registry.SuiteName(suite)
}

// setKeyExchange records the key exchange and forward secrecy of suite.
func setKeyExchange(res *obs.ClientSimulation, id uint16) registry.Suite {
	suite, _ := registry.SuiteByID(id)
	res.KeyExchange, res.ForwardSecrecy = suite.Kx, suite.FS
	return suite
}

// setDH records a finite-field DH prime: its name when it is a known one.
func setDH(res *obs.ClientSimulation, p *big.Int) {
	res.Bits = p.BitLen()
	res.Group = fmt.Sprintf("DH %d", res.Bits)
	if name, _, ok := registry.KnownPrime(p); ok {
		res.Group = name
	}
}

func setGroup(res *obs.ClientSimulation, g uint16) {
	res.Group = registry.GroupName(g)
	if info, ok := registry.GroupByID(g); ok {
		res.Bits = info.Bits
		if res.KeyExchange == "TLS13" || res.KeyExchange == "" {
			switch info.Kind {
			case "ffdhe":
				res.KeyExchange = "DHE"
			case "kem", "hybrid":
				res.KeyExchange = "ECDHE+ML-KEM"
				if info.Kind == "kem" {
					res.KeyExchange = "ML-KEM"
				}
			default:
				res.KeyExchange = "ECDHE"
			}
		}
	}
}

// failure describes an error before a usable ServerHello.
func failure(err error) string {
	var ne net.Error
	switch {
	case err == nil:
		return "no answer"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET):
		return "closed"
	}
	return "error: " + err.Error()
}
