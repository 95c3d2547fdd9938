// Package ocspverify parses OCSP responses and verifies who signed them
// (RFC 6960 4.2.2.2): the certificate's issuer itself, with or without its
// own certificate embedded in the response, or a delegated responder whose
// certificate is embedded, was issued by the issuer and carries
// id-kp-OCSPSigning.
//
// golang.org/x/crypto/ocsp parses the response, but treats any embedded
// certificate as a delegated responder's: it rejects a response signed by
// the issuer that embeds the issuer's certificate (as `openssl ocsp
// -rsigner ca.pem` makes) and accepts a delegated responder without the
// OCSPSigning extended key usage. This package adds that decision on top.
// Pure: no I/O.
package ocspverify

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"slices"

	"golang.org/x/crypto/ocsp"
)

// Signer says who signed a verified response.
type Signer string

const (
	// SignerIssuer: the issuer's key signed it (issuer certificate embedded or not).
	SignerIssuer Signer = "issuer"
	// SignerDelegated: a delegated responder certificate issued by the issuer.
	SignerDelegated Signer = "delegated"
)

// Parse parses a DER OCSP response; with cert set, the single response
// about cert is selected (as ocsp.ParseResponseForCert). With issuer set,
// the signature is verified as described in the package comment and the
// signer is returned; a response that parses but whose signature does not
// verify is returned with a non-nil error of type *SignatureError.
func Parse(raw []byte, cert, issuer *x509.Certificate) (resp *ocsp.Response, signer Signer, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, signer, err = nil, "", ocsp.ParseError("panic while parsing OCSP response")
		}
	}()
	// Without an issuer, x/crypto/ocsp checks only that an embedded
	// certificate's key signed the response.
	resp, err = ocsp.ParseResponseForCert(raw, cert, nil)
	if err != nil {
		return nil, "", err
	}
	if issuer == nil {
		return resp, "", nil
	}
	signer, err = verify(resp, issuer)
	if err != nil {
		return resp, "", err
	}
	return resp, signer, nil
}

// SignatureError: the response parses but is not signed by the issuer or
// a valid delegated responder of it.
type SignatureError struct{ Reason string }

func (e *SignatureError) Error() string { return "bad OCSP signature: " + e.Reason }

func verify(resp *ocsp.Response, issuer *x509.Certificate) (Signer, error) {
	rc := resp.Certificate
	if rc == nil || sameKey(rc, issuer) {
		// No certificate embedded, or the issuer's own: the issuer's key
		// must have signed the response.
		if err := resp.CheckSignatureFrom(issuer); err != nil {
			return "", &SignatureError{Reason: "not signed by the issuer: " + err.Error()}
		}
		return SignerIssuer, nil
	}
	// Delegated responder: the embedded certificate signed the response
	// (checked while parsing), was issued by the issuer, and is
	// authorised for OCSP signing.
	if !bytes.Equal(rc.RawIssuer, issuer.RawSubject) {
		return "", &SignatureError{Reason: fmt.Sprintf("the responder certificate %q was not issued by the certificate's issuer", rc.Subject.String())}
	}
	if err := issuer.CheckSignature(rc.SignatureAlgorithm, rc.RawTBSCertificate, rc.Signature); err != nil {
		return "", &SignatureError{Reason: "the responder certificate's signature does not verify with the issuer's key: " + err.Error()}
	}
	if !slices.Contains(rc.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return "", &SignatureError{Reason: fmt.Sprintf("the responder certificate %q lacks id-kp-OCSPSigning", rc.Subject.String())}
	}
	return SignerDelegated, nil
}

// sameKey: a and b are the same certificate, or the same subject and key.
func sameKey(a, b *x509.Certificate) bool {
	return bytes.Equal(a.Raw, b.Raw) ||
		bytes.Equal(a.RawSubject, b.RawSubject) && bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}
