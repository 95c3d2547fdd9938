package wire

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"io"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// CBCFault says what is wrong with a protected CBC record, as a scripted
// padding-oracle server (Server12Config.BadRecord) sees it: the padding and
// the MAC are judged independently, the MAC being looked for where the
// padding length byte puts it.
type CBCFault struct {
	// Length is the decrypted length: content, MAC and padding.
	Length int
	// PadLen is the padding length byte (the last plaintext byte).
	PadLen int
	// PaddingOK: the padding fits in the record and every padding byte
	// equals PadLen.
	PaddingOK bool
	// MACFits: the padding and a whole MAC fit in the record.
	MACFits bool
	// MACOK: the MAC fits and verifies over the content.
	MACOK bool
	// ContentLen is the content length when MACFits.
	ContentLen int
}

// PaddingOnly reports a record whose padding fills it whole (with valid
// bytes) but leaves no room for the MAC: the CVE-2016-2107 record.
func (f CBCFault) PaddingOnly() bool {
	return f.PaddingOK && !f.MACFits
}

// BadRecordAnswer is how a server reacts to a protected record that fails
// to decrypt or authenticate. The zero value sends bad_record_mac.
type BadRecordAnswer struct {
	// Alert, when not zero, is the fatal alert sent before closing.
	Alert uint8
	// Close closes the connection without an alert.
	Close bool
	// Ignore drops the record silently and keeps reading (the client sees
	// a timeout).
	Ignore bool
}

// diagnoseCBC decrypts a CBC record payload with a copy of cs's state (cs
// is not changed) and describes it. ok is false when the payload cannot be
// a CBC record at all (wrong length): such records are refused as usual.
func (cs *cipherState) diagnoseCBC(typ uint8, payload []byte) (f CBCFault, ok bool) {
	if cs == nil || cs.suite.GCM {
		return f, false
	}
	iv := cs.iv
	if cs.version >= registry.VersionTLS11 {
		if len(payload) < aes.BlockSize {
			return f, false
		}
		iv, payload = payload[:aes.BlockSize], payload[aes.BlockSize:]
	}
	if len(payload) == 0 || len(payload)%aes.BlockSize != 0 {
		return f, false
	}
	plain := make([]byte, len(payload))
	cipher.NewCBCDecrypter(cs.block, bytes.Clone(iv)).CryptBlocks(plain, payload)
	macLen := cs.suite.MACLen()
	f.Length, f.PadLen = len(plain), int(plain[len(plain)-1])
	if f.PadLen+1 <= f.Length {
		f.PaddingOK = true
		for _, b := range plain[f.Length-1-f.PadLen:] {
			if int(b) != f.PadLen {
				f.PaddingOK = false
			}
		}
	}
	if f.PadLen+1+macLen <= f.Length {
		f.MACFits = true
		f.ContentLen = f.Length - 1 - f.PadLen - macLen
		content, mac := plain[:f.ContentLen], plain[f.ContentLen:f.ContentLen+macLen]
		f.MACOK = hmac.Equal(mac, cs.mac(cs.seq, typ, content))
	}
	return f, true
}

// readApplicationHooked is readApplication for a server with a BadRecord
// hook: each protected CBC record is diagnosed first; a faulty one gets the
// hook's answer, a good one goes through the record layer as usual.
func (s *server12) readApplicationHooked() ([]byte, error) {
	for {
		if s.l.in == nil || s.l.in.suite.GCM || len(s.l.pending) > 0 {
			return s.l.readApplication()
		}
		rec, err := s.l.reader.ReadRecord()
		if err != nil {
			return nil, err
		}
		f, ok := s.l.in.diagnoseCBC(rec.Type, rec.Payload)
		if !ok || (f.PaddingOK && f.MACOK) {
			// Put the record back and let the record layer handle it.
			orig := s.l.reader.r
			raw := append([]byte{rec.Type, byte(rec.Version >> 8), byte(rec.Version), byte(len(rec.Payload) >> 8), byte(len(rec.Payload))}, rec.Payload...)
			s.l.reader.r = io.MultiReader(bytes.NewReader(raw), orig)
			data, err := s.l.readApplication()
			s.l.reader.r = orig
			return data, err
		}
		ans := s.cfg.BadRecord(f)
		switch {
		case ans.Ignore:
			continue
		case ans.Close:
			return nil, errAlertSent
		case ans.Alert != 0:
			return nil, s.alert(ans.Alert, "bad CBC record %+v", f)
		}
		return nil, s.alert(AlertBadRecordMAC, "bad CBC record %+v", f)
	}
}
