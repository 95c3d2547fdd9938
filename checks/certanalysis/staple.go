package certanalysis

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/tlsaudit/tlsaudit/scan/ocspverify"
)

// maxStaple bounds the stapled response we parse.
const maxStaple = 64 << 10

func parseStaple(raw []byte, leaf, issuer *pcert, now time.Time) (*StapleInfo, []SCTInfo) {
	si := &StapleInfo{}
	if len(raw) > maxStaple {
		si.Status, si.Error = "invalid", "stapled OCSP response larger than 64 KiB"
		return si, nil
	}
	var iss *x509.Certificate
	if issuer != nil {
		iss, _ = x509.ParseCertificate(issuer.der)
	}
	resp, signer, err := ocspverify.Parse(raw, nil, iss)
	var sigErr *ocspverify.SignatureError
	switch {
	case errors.As(err, &sigErr):
		// It parses, but neither the issuer nor a delegated responder of
		// it signed it.
		f := false
		si.SignatureValid, si.Error, err = &f, sigErr.Reason, nil
	case err == nil && iss != nil:
		t := true
		si.SignatureValid, si.Signer = &t, string(signer)
	}
	if err != nil {
		si.Status, si.Error = "invalid", err.Error()
		return si, nil
	}
	switch resp.Status {
	case ocsp.Good:
		si.Status = "good"
	case ocsp.Revoked:
		si.Status = "revoked"
		si.RevokedAt = resp.RevokedAt.UTC()
	default:
		si.Status = "unknown"
	}
	si.ThisUpdate, si.NextUpdate = resp.ThisUpdate.UTC(), resp.NextUpdate.UTC()
	si.Expired = !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate)
	if leaf != nil && leaf.c != nil && leaf.c.SerialNumber != nil && resp.SerialNumber != nil {
		si.SerialMatch = leaf.c.SerialNumber.Cmp(resp.SerialNumber) == 0
	}
	return si, stapleSCTs(raw)
}

// The OCSP ASN.1 structures down to singleExtensions, which x/crypto/ocsp
// does not expose (RFC 6960 4.2.1).
type ocspResponseASN1 struct {
	Status   asn1.Enumerated
	Response struct {
		Type     asn1.ObjectIdentifier
		Response []byte
	} `asn1:"explicit,tag:0,optional"`
}

type basicOCSPASN1 struct {
	TBS    asn1.RawValue
	SigAlg pkix.AlgorithmIdentifier
	Sig    asn1.BitString
	Certs  []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type tbsResponseASN1 struct {
	Version   int `asn1:"optional,explicit,default:0,tag:0"`
	Responder asn1.RawValue
	Produced  time.Time `asn1:"generalized"`
	Responses []singleResponseASN1
}

type singleResponseASN1 struct {
	CertID struct {
		HashAlg       pkix.AlgorithmIdentifier
		NameHash      []byte
		IssuerKeyHash []byte
		Serial        *big.Int
	}
	Status     asn1.RawValue
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

// stapleSCTs extracts SCTs from the singleExtensions of an OCSP response.
func stapleSCTs(raw []byte) []SCTInfo {
	var r ocspResponseASN1
	if _, err := asn1.Unmarshal(raw, &r); err != nil || len(r.Response.Response) == 0 {
		return nil
	}
	var basic basicOCSPASN1
	if _, err := asn1.Unmarshal(r.Response.Response, &basic); err != nil {
		return nil
	}
	var tbs tbsResponseASN1
	if _, err := asn1.Unmarshal(basic.TBS.FullBytes, &tbs); err != nil {
		return nil
	}
	var out []SCTInfo
	for _, s := range tbs.Responses {
		for _, e := range s.Extensions {
			if e.Id.Equal(oidOCSPSCTList) {
				out = append(out, sctsFromExtension(e.Value, "ocsp")...)
			}
		}
	}
	return out
}
