package certanalysis

import (
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

var (
	oidSCTList     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2} // in a certificate
	oidOCSPSCTList = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 5} // in an OCSP SingleResponse
)

// maxSCTs bounds how many SCTs one list may yield.
const maxSCTs = 64

// ParseSCTList parses a TLS-encoded SignedCertificateTimestampList (RFC 6962
// 3.3): a 16-bit length, then 16-bit-length-prefixed serialized SCTs.
func ParseSCTList(b []byte) ([][]byte, error) {
	s := cryptobyte.String(b)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		return nil, errors.New("malformed SCT list")
	}
	var out [][]byte
	for !list.Empty() {
		var sct cryptobyte.String
		if !list.ReadUint16LengthPrefixed(&sct) || len(sct) == 0 {
			return out, errors.New("malformed SCT list entry")
		}
		if len(out) == maxSCTs {
			return out, fmt.Errorf("more than %d SCTs", maxSCTs)
		}
		out = append(out, sct)
	}
	return out, nil
}

// ParseSCT parses one serialized SCT (RFC 6962 3.2, v1).
func ParseSCT(b []byte) (SCTInfo, error) {
	var info SCTInfo
	s := cryptobyte.String(b)
	var version uint8
	if !s.ReadUint8(&version) {
		return info, errors.New("SCT too short")
	}
	info.Version = int(version) + 1
	if version != 0 {
		return info, fmt.Errorf("unsupported SCT version %d", version+1)
	}
	var logID []byte
	var ts uint64
	var exts, sig cryptobyte.String
	var hashAlg, sigAlg uint8
	if !s.ReadBytes(&logID, 32) || !s.ReadUint64(&ts) || !s.ReadUint16LengthPrefixed(&exts) ||
		!s.ReadUint8(&hashAlg) || !s.ReadUint8(&sigAlg) || !s.ReadUint16LengthPrefixed(&sig) || !s.Empty() {
		return info, errors.New("malformed SCT")
	}
	info.LogID = base64.StdEncoding.EncodeToString(logID)
	if ts > 1<<62 {
		return info, errors.New("SCT timestamp out of range")
	}
	info.Timestamp = time.UnixMilli(int64(ts)).UTC()
	info.HashAlg = tlsHashName(hashAlg)
	info.SigAlg = tlsSigName(sigAlg)
	return info, nil
}

func tlsHashName(h uint8) string {
	names := map[uint8]string{0: "none", 1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512"}
	if n, ok := names[h]; ok {
		return n
	}
	return fmt.Sprintf("unknown(%d)", h)
}

func tlsSigName(s uint8) string {
	names := map[uint8]string{0: "anonymous", 1: "rsa", 2: "dsa", 3: "ecdsa"}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("unknown(%d)", s)
}

// sctsFromList parses an SCT list (as found in an X.509 or OCSP extension,
// wrapped in an OCTET STRING) and labels the SCTs with source.
func sctsFromExtension(value []byte, source string) []SCTInfo {
	var inner []byte
	if rest, err := asn1.Unmarshal(value, &inner); err != nil || len(rest) != 0 {
		return []SCTInfo{{Source: source, Error: "SCT extension is not an OCTET STRING"}}
	}
	return sctsFromRaw(inner, source)
}

func sctsFromRaw(list []byte, source string) []SCTInfo {
	raws, err := ParseSCTList(list)
	var out []SCTInfo
	for _, r := range raws {
		out = append(out, sctInfo(r, source))
	}
	if err != nil {
		out = append(out, SCTInfo{Source: source, Error: err.Error()})
	}
	return out
}

func sctInfo(raw []byte, source string) SCTInfo {
	info, err := ParseSCT(raw)
	info.Source = source
	if err != nil {
		info.Error = err.Error()
	}
	return info
}
