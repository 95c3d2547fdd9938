package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertOCSPStapleInvalid,
		Title:       "Invalid stapled OCSP response",
		Description: "The stapled OCSP response does not parse, is signed neither by the certificate's issuer (its certificate embedded or not) nor by a delegated responder the issuer certified for OCSP signing, or is for another certificate.",
		Severity:    checks.SeverityMedium,
		Refs:        []checks.Ref{ref("rfc", "RFC 6960 3.2"), ref("rfc", "RFC 6960 4.2.2.2")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			s := ch.Staple
			switch {
			case s == nil:
				return na("no staple")
			case s.Status == "invalid":
				return fail("does not parse: %s", s.Error)
			case s.SignatureValid != nil && !*s.SignatureValid:
				if s.Error != "" {
					return fail("signature not valid for the certificate's issuer: %s", s.Error)
				}
				return fail("signature not valid for the certificate's issuer")
			case !s.SerialMatch:
				return fail("the response is for another serial number")
			case s.SignatureValid == nil:
				return checks.Finding{Status: checks.StatusInconclusive, Detail: "the issuer is unknown: signature not checked"}
			}
			return pass("valid response (%s)", s.Status)
		})
	})).When(servedChain))
}
