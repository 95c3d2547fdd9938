package checks

// The ID of every check, by category. A check registers under its constant
// here, and every other package (grade, policy, report, tests) names a check
// by it. Status conventions the grade relies on are noted per ID: "fail"
// means the problem is present.
const (
	// Protocols (checks/proto).
	IDProtoSSLv2Enabled = "proto.sslv2_enabled"
	IDProtoSSLv3Enabled = "proto.sslv3_enabled"
	IDProtoTLS10Enabled = "proto.tls10_enabled"
	IDProtoTLS11Enabled = "proto.tls11_enabled"
	IDProtoTLS12Missing = "proto.tls12_missing"
	IDProtoTLS13Missing = "proto.tls13_missing"

	// Cipher suites (checks/cipher).
	IDCipherNull             = "cipher.null"
	IDCipherAnonymous        = "cipher.anonymous"
	IDCipherExport           = "cipher.export"
	IDCipherRC4              = "cipher.rc4"
	IDCipherDES64BitBlock    = "cipher.des_64bit_block"
	IDCipherWeakUnder128     = "cipher.weak_under_128"
	IDCipherNoForwardSecrecy = "cipher.no_forward_secrecy"
	IDCipherNoAEAD           = "cipher.no_aead"
	IDCipherCBCTLS10         = "cipher.cbc_tls10"
	IDCipherCBC              = "cipher.cbc"
	IDCipherClientOrder      = "cipher.client_order"

	// Key exchange (checks/kx).
	IDKxDHUnder2048    = "kx.dh_under_2048"
	IDKxDHUnder1024    = "kx.dh_under_1024"
	IDKxDHCommonPrime  = "kx.dh_common_prime"
	IDKxRSAKeyExchange = "kx.rsa_key_exchange"
	IDKxWeakCurve      = "kx.weak_curve"
	IDKxNoPostQuantum  = "kx.no_post_quantum"

	// Certificates (checks/cert). The grade reads these findings.
	IDCertUntrusted          = "cert.untrusted"           // → T
	IDCertExpired            = "cert.expired"             // → T
	IDCertNotYetValid        = "cert.not_yet_valid"       // → T
	IDCertSelfSigned         = "cert.self_signed"         // → T
	IDCertHostnameMismatch   = "cert.hostname_mismatch"   // → M
	IDCertRevoked            = "cert.revoked"             // → T
	IDCertSHA1Signature      = "cert.sha1_signature"      // → T
	IDCertMD5Signature       = "cert.md5_signature"       // → F
	IDCertRSAKeyUnder2048    = "cert.rsa_key_under_2048"  // → B
	IDCertRSAKeyUnder1024    = "cert.rsa_key_under_1024"  // → F
	IDCertChainIncomplete    = "cert.chain_incomplete"    // → B
	IDCertDebianWeakKey      = "cert.debian_weak_key"     // → F (and key-exchange score 0)
	IDCertRSAExponentOne     = "cert.rsa_exponent_one"    // → F
	IDCertSymantecDistrusted = "cert.symantec_distrusted" // → T

	// Vulnerabilities (checks/vuln). "fail" = vulnerable.
	IDVulnHeartbleed              = "vuln.heartbleed"
	IDVulnCCSInjection            = "vuln.ccs_injection"
	IDVulnROBOT                   = "vuln.robot"
	IDVulnPoodleTLS               = "vuln.poodle_tls"
	IDVulnTicketbleed             = "vuln.ticketbleed"
	IDVulnLuckyMinus20            = "vuln.lucky_minus20"
	IDVulnZombiePoodle            = "vuln.zombie_poodle"
	IDVulnGoldenDoodle            = "vuln.goldendoodle"
	IDVulnSleepingPoodle          = "vuln.sleeping_poodle"
	IDVulnZeroLengthPaddingOracle = "vuln.zero_length_padding_oracle"
	IDVulnDROWN                   = "vuln.drown"
	IDVulnInsecureRenegotiation   = "vuln.insecure_renegotiation"
	IDVulnCRIME                   = "vuln.crime"        // TLS compression → C
	IDVulnPoodleSSLv3             = "vuln.poodle_sslv3" // → C

	// HTTP (checks/http). The grade needs, for A+, a "pass" finding of
	// IDHTTPHSTSShort, which must mean "HSTS present and valid with max-age
	// of at least 15552000 s (180 days)". Missing/invalid/short → warning (A-).
	IDHTTPHSTSMissing = "http.hsts_missing"
	IDHTTPHSTSInvalid = "http.hsts_invalid"
	IDHTTPHSTSShort   = "http.hsts_short"
	// IDVulnNoFallbackSCSV fails when the server completes a downgraded
	// handshake despite TLS_FALLBACK_SCSV (ssllabs-2009q withholds A+).
	IDVulnNoFallbackSCSV = "vuln.no_fallback_scsv"
	IDHTTPHPKPInvalid    = "http.hpkp_invalid" // fail → no A+

	// Certificates (checks/cert), not read by the grade.
	IDCertCAAForbidsIssuer   = "cert.caa_forbids_issuer"
	IDCertChainDuplicate     = "cert.chain_duplicate"
	IDCertChainExtra         = "cert.chain_extra"
	IDCertChainOrder         = "cert.chain_order"
	IDCertCNOnly             = "cert.cn_only"
	IDCertDANEMismatch       = "cert.dane_mismatch"
	IDCertDSAKey             = "cert.dsa_key"
	IDCertExpiresSoon        = "cert.expires_soon"
	IDCertMustStapleNoStaple = "cert.must_staple_no_staple"
	IDCertNoSCT              = "cert.no_sct"
	IDCertOCSPStapleExpired  = "cert.ocsp_staple_expired"
	IDCertOCSPStapleInvalid  = "cert.ocsp_staple_invalid"
	IDCertOCSPStapleMissing  = "cert.ocsp_staple_missing"
	IDCertOCSPStapleUnknown  = "cert.ocsp_staple_unknown"
	IDCertROCA               = "cert.roca"
	IDCertRootSent           = "cert.root_sent"
	IDCertStoreTrust         = "cert.store_trust"
	IDCertValidityTooLong    = "cert.validity_too_long"
	IDCertWeakCurve          = "cert.weak_curve"
	IDCertZlint              = "cert.zlint"

	// Vulnerabilities (checks/vuln), not read by the grade.
	IDVulnClientRenegotiation    = "vuln.client_renegotiation"
	IDVulnEarlyData              = "vuln.early_data"
	IDVulnExtensionIntolerance   = "vuln.extension_intolerance"
	IDVulnFREAK                  = "vuln.freak"
	IDVulnHeartbeatEnabled       = "vuln.heartbeat_enabled"
	IDVulnLogjam                 = "vuln.logjam"
	IDVulnNoDowngradeSentinel    = "vuln.no_downgrade_sentinel"
	IDVulnNoEncryptThenMAC       = "vuln.no_encrypt_then_mac"
	IDVulnNoExtendedMasterSecret = "vuln.no_extended_master_secret"
	IDVulnNoSessionResumption    = "vuln.no_session_resumption"
	IDVulnVersionIntolerance     = "vuln.version_intolerance"

	// HTTP (checks/http), not read by the grade.
	IDHTTPBREACH           = "http.breach"
	IDHTTPHSTSPreloadReady = "http.hsts_preload_ready"
	IDHTTPNoRedirect80     = "http.no_redirect_80"
	IDHTTPRedirectToHTTP   = "http.redirect_to_http"
	IDHTTPSecurityHeaders  = "http.security_headers"
	IDHTTPServerBanner     = "http.server_banner"
)
