// Package certfetch does the opt-in network work of certificate auditing:
// AIA intermediate fetches, OCSP queries, CRL downloads, DNS CAA and TLSA
// lookups, and reading trust stores from files. Every fetch is bounded in
// time and size; results land in the observation (scan/obs) and are judged
// by checks/cert.
package certfetch

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/ocspverify"
	"golang.org/x/crypto/ocsp"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Limits bound one fetch.
type Limits struct {
	Timeout  time.Duration // whole request (default 5s)
	MaxBytes int64         // response body cap (default 1 MiB; CRLs 16 MiB)
}

func (l Limits) withDefaults(maxBytes int64) Limits {
	if l.Timeout <= 0 {
		l.Timeout = 5 * time.Second
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = maxBytes
	}
	return l
}

// client is an HTTP client that ignores proxy settings, follows at most 3
// redirects and bounds headers.
var client = &http.Client{
	Transport: &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxResponseHeaderBytes: 64 << 10,
		ResponseHeaderTimeout:  5 * time.Second,
		DisableKeepAlives:      true,
	},
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many redirects")
		}
		return nil
	},
}

// get performs a bounded HTTP request and returns the body.
func get(ctx context.Context, method, url, ctype string, body []byte, lim Limits) ([]byte, error) {
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil, fmt.Errorf("unsupported URL scheme in %q (only http and https)", url)
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("User-Agent", "tlsaudit")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, lim.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, fmt.Errorf("response larger than %d bytes", lim.MaxBytes)
	}
	return data, nil
}

// FetchAIA downloads the certificate at an AIA caIssuers URL and returns it
// as DER. It accepts DER, PEM and a certs-only PKCS#7 bundle (first
// certificate).
func FetchAIA(ctx context.Context, url string, lim Limits) ([]byte, error) {
	lim = lim.withDefaults(1 << 20)
	data, err := get(ctx, http.MethodGet, url, "", nil, lim)
	if err != nil {
		return nil, fmt.Errorf("AIA %s: %w", url, err)
	}
	der, err := certFromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("AIA %s: %w", url, err)
	}
	return der, nil
}

func certFromBytes(data []byte) ([]byte, error) {
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	if c, err := x509.ParseCertificate(data); err == nil {
		return c.Raw, nil
	}
	if ders, err := pkcs7Certs(data); err == nil && len(ders) > 0 {
		return ders[0], nil
	}
	return nil, errors.New("not a certificate (DER, PEM or PKCS#7)")
}

// QueryOCSP asks the OCSP responder at url about cert (DER), issued by
// issuer (DER). The response signature is verified against the issuer.
func QueryOCSP(ctx context.Context, url string, cert, issuer []byte, lim Limits) obs.RevocationCheck {
	lim = lim.withDefaults(1 << 20)
	rc := obs.RevocationCheck{Method: "ocsp", URL: url, Cert: sha256Hex(cert), Status: "error"}
	c, iss, err := parsePair(cert, issuer)
	if err != nil {
		rc.Error = err.Error()
		return rc
	}
	req, err := ocsp.CreateRequest(c, iss, &ocsp.RequestOptions{})
	if err != nil {
		rc.Error = err.Error()
		return rc
	}
	data, err := get(ctx, http.MethodPost, url, "application/ocsp-request", req, lim)
	if err != nil {
		rc.Error = err.Error()
		return rc
	}
	resp, _, err := ocspverify.Parse(data, c, iss)
	if err != nil {
		rc.Error = "OCSP response: " + err.Error()
		return rc
	}
	switch resp.Status {
	case ocsp.Good:
		rc.Status = "good"
	case ocsp.Revoked:
		rc.Status = "revoked"
		rc.RevokedAt, rc.Reason = resp.RevokedAt.UTC(), resp.RevocationReason
	default:
		rc.Status = "unknown"
	}
	rc.ThisUpdate, rc.NextUpdate = resp.ThisUpdate.UTC(), resp.NextUpdate.UTC()
	return rc
}

// FetchCRL downloads the CRL at url, verifies its signature against issuer
// and looks up cert's serial number.
func FetchCRL(ctx context.Context, url string, cert, issuer []byte, lim Limits) obs.RevocationCheck {
	lim = lim.withDefaults(16 << 20)
	rc := obs.RevocationCheck{Method: "crl", URL: url, Cert: sha256Hex(cert), Status: "error"}
	c, iss, err := parsePair(cert, issuer)
	if err != nil {
		rc.Error = err.Error()
		return rc
	}
	data, err := get(ctx, http.MethodGet, url, "", nil, lim)
	if err != nil {
		rc.Error = err.Error()
		return rc
	}
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	crl, err := x509.ParseRevocationList(data)
	if err != nil {
		rc.Error = "CRL: " + err.Error()
		return rc
	}
	if err := crl.CheckSignatureFrom(iss); err != nil {
		rc.Error = "CRL signature: " + err.Error()
		return rc
	}
	rc.ThisUpdate, rc.NextUpdate = crl.ThisUpdate.UTC(), crl.NextUpdate.UTC()
	rc.Status = "good"
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber != nil && e.SerialNumber.Cmp(c.SerialNumber) == 0 {
			rc.Status, rc.RevokedAt, rc.Reason = "revoked", e.RevocationTime.UTC(), e.ReasonCode
			break
		}
	}
	return rc
}

func parsePair(cert, issuer []byte) (*x509.Certificate, *x509.Certificate, error) {
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		return nil, nil, fmt.Errorf("certificate: %w", err)
	}
	iss, err := x509.ParseCertificate(issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("issuer: %w", err)
	}
	return c, iss, nil
}
