package certfetch

import (
	"encoding/asn1"
	"errors"
)

// pkcs7Certs extracts the certificates of a certs-only PKCS#7 SignedData
// (RFC 2315 / RFC 5652), the format of many AIA .p7c files.
func pkcs7Certs(der []byte) ([][]byte, error) {
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) != 0 {
		return nil, errors.New("not PKCS#7")
	}
	if !ci.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}) {
		return nil, errors.New("PKCS#7 content is not SignedData")
	}
	var sd struct {
		Version     int
		Digests     asn1.RawValue
		ContentInfo asn1.RawValue
		Certs       asn1.RawValue `asn1:"optional,tag:0"`
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, err
	}
	var out [][]byte
	rest := sd.Certs.Bytes
	for len(rest) > 0 && len(out) < 16 {
		var c asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &c); err != nil {
			return out, err
		}
		out = append(out, c.FullBytes)
	}
	return out, nil
}
