// Package wire encodes and decodes the TLS and SSL wire format for tlsaudit's
// probes: ClientHellos built field by field (including deliberately odd ones),
// a defensive record/handshake reader with size caps, decoders for the server
// messages a scanner needs, SSLv2, key shares and TLS 1.3 handshake decryption.
//
// It deals only in numeric code points; names of suites, groups and signature
// algorithms live in scan/registry. It does no dialling and sets no deadlines:
// the caller owns the connection.
package wire

import "fmt"

// Record content types (RFC 8446 5.1, RFC 6520).
const (
	RecordChangeCipherSpec uint8 = 20
	RecordAlert            uint8 = 21
	RecordHandshake        uint8 = 22
	RecordApplicationData  uint8 = 23
	RecordHeartbeat        uint8 = 24
)

// Handshake message types (IANA TLS HandshakeType registry).
const (
	TypeHelloRequest        uint8 = 0
	TypeClientHello         uint8 = 1
	TypeServerHello         uint8 = 2
	TypeHelloVerifyRequest  uint8 = 3
	TypeNewSessionTicket    uint8 = 4
	TypeEndOfEarlyData      uint8 = 5
	TypeEncryptedExtensions uint8 = 8
	TypeCertificate         uint8 = 11
	TypeServerKeyExchange   uint8 = 12
	TypeCertificateRequest  uint8 = 13
	TypeServerHelloDone     uint8 = 14
	TypeCertificateVerify   uint8 = 15
	TypeClientKeyExchange   uint8 = 16
	TypeFinished            uint8 = 20
	TypeCertificateURL      uint8 = 21
	TypeCertificateStatus   uint8 = 22
	TypeSupplementalData    uint8 = 23
	TypeKeyUpdate           uint8 = 24
	TypeCompressedCert      uint8 = 25
	TypeMessageHash         uint8 = 254
)

var handshakeNames = map[uint8]string{
	TypeHelloRequest:        "HelloRequest",
	TypeClientHello:         "ClientHello",
	TypeServerHello:         "ServerHello",
	TypeHelloVerifyRequest:  "HelloVerifyRequest",
	TypeNewSessionTicket:    "NewSessionTicket",
	TypeEndOfEarlyData:      "EndOfEarlyData",
	TypeEncryptedExtensions: "EncryptedExtensions",
	TypeCertificate:         "Certificate",
	TypeServerKeyExchange:   "ServerKeyExchange",
	TypeCertificateRequest:  "CertificateRequest",
	TypeServerHelloDone:     "ServerHelloDone",
	TypeCertificateVerify:   "CertificateVerify",
	TypeClientKeyExchange:   "ClientKeyExchange",
	TypeFinished:            "Finished",
	TypeCertificateURL:      "CertificateURL",
	TypeCertificateStatus:   "CertificateStatus",
	TypeSupplementalData:    "SupplementalData",
	TypeKeyUpdate:           "KeyUpdate",
	TypeCompressedCert:      "CompressedCertificate",
	TypeMessageHash:         "MessageHash",
}

// HandshakeName names a handshake message type ("ServerHello"), or
// "handshake(N)" when unknown.
func HandshakeName(t uint8) string {
	if n, ok := handshakeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("handshake(%d)", t)
}

// Extension types (IANA TLS ExtensionType Values).
const (
	ExtServerName                         uint16 = 0
	ExtMaxFragmentLength                  uint16 = 1
	ExtClientCertificateURL               uint16 = 2
	ExtTrustedCAKeys                      uint16 = 3
	ExtTruncatedHMAC                      uint16 = 4
	ExtStatusRequest                      uint16 = 5
	ExtUserMapping                        uint16 = 6
	ExtClientAuthz                        uint16 = 7
	ExtServerAuthz                        uint16 = 8
	ExtCertType                           uint16 = 9
	ExtSupportedGroups                    uint16 = 10
	ExtECPointFormats                     uint16 = 11
	ExtSRP                                uint16 = 12
	ExtSignatureAlgorithms                uint16 = 13
	ExtUseSRTP                            uint16 = 14
	ExtHeartbeat                          uint16 = 15
	ExtALPN                               uint16 = 16
	ExtStatusRequestV2                    uint16 = 17
	ExtSCT                                uint16 = 18
	ExtClientCertificateType              uint16 = 19
	ExtServerCertificateType              uint16 = 20
	ExtPadding                            uint16 = 21
	ExtEncryptThenMAC                     uint16 = 22
	ExtExtendedMasterSecret               uint16 = 23
	ExtTokenBinding                       uint16 = 24
	ExtCachedInfo                         uint16 = 25
	ExtTLSLTS                             uint16 = 26
	ExtCompressCertificate                uint16 = 27
	ExtRecordSizeLimit                    uint16 = 28
	ExtPwdProtect                         uint16 = 29
	ExtPwdClear                           uint16 = 30
	ExtPasswordSalt                       uint16 = 31
	ExtTicketPinning                      uint16 = 32
	ExtTLSCertWithExternPSK               uint16 = 33
	ExtDelegatedCredential                uint16 = 34
	ExtSessionTicket                      uint16 = 35
	ExtTLMSP                              uint16 = 36
	ExtTLMSPProxying                      uint16 = 37
	ExtTLMSPDelegate                      uint16 = 38
	ExtSupportedEKTCiphers                uint16 = 39
	ExtPreSharedKey                       uint16 = 41
	ExtEarlyData                          uint16 = 42
	ExtSupportedVersions                  uint16 = 43
	ExtCookie                             uint16 = 44
	ExtPSKKeyExchangeModes                uint16 = 45
	ExtCertificateAuthorities             uint16 = 47
	ExtOIDFilters                         uint16 = 48
	ExtPostHandshakeAuth                  uint16 = 49
	ExtSignatureAlgorithmsCert            uint16 = 50
	ExtKeyShare                           uint16 = 51
	ExtTransparencyInfo                   uint16 = 52
	ExtConnectionIDDeprecated             uint16 = 53
	ExtConnectionID                       uint16 = 54
	ExtExternalIDHash                     uint16 = 55
	ExtExternalSessionID                  uint16 = 56
	ExtQUICTransportParameters            uint16 = 57
	ExtTicketRequest                      uint16 = 58
	ExtDNSSECChain                        uint16 = 59
	ExtSequenceNumberEncryptionAlgorithms uint16 = 60
	ExtRRC                                uint16 = 61
	ExtTLSFlags                           uint16 = 62
	ExtECHOuterExtensions                 uint16 = 0xfd00
	ExtEncryptedClientHello               uint16 = 0xfe0d
	ExtApplicationSettings                uint16 = 0x4469 // ALPS (draft, Chrome)
	ExtNextProtocolNegotiation            uint16 = 13172  // NPN (draft, not IANA)
	ExtChannelID                          uint16 = 30032  // draft, not IANA
	ExtRenegotiationInfo                  uint16 = 0xff01
)

var extensionNames = map[uint16]string{
	ExtServerName:                         "server_name",
	ExtMaxFragmentLength:                  "max_fragment_length",
	ExtClientCertificateURL:               "client_certificate_url",
	ExtTrustedCAKeys:                      "trusted_ca_keys",
	ExtTruncatedHMAC:                      "truncated_hmac",
	ExtStatusRequest:                      "status_request",
	ExtUserMapping:                        "user_mapping",
	ExtClientAuthz:                        "client_authz",
	ExtServerAuthz:                        "server_authz",
	ExtCertType:                           "cert_type",
	ExtSupportedGroups:                    "supported_groups",
	ExtECPointFormats:                     "ec_point_formats",
	ExtSRP:                                "srp",
	ExtSignatureAlgorithms:                "signature_algorithms",
	ExtUseSRTP:                            "use_srtp",
	ExtHeartbeat:                          "heartbeat",
	ExtALPN:                               "application_layer_protocol_negotiation",
	ExtStatusRequestV2:                    "status_request_v2",
	ExtSCT:                                "signed_certificate_timestamp",
	ExtClientCertificateType:              "client_certificate_type",
	ExtServerCertificateType:              "server_certificate_type",
	ExtPadding:                            "padding",
	ExtEncryptThenMAC:                     "encrypt_then_mac",
	ExtExtendedMasterSecret:               "extended_master_secret",
	ExtTokenBinding:                       "token_binding",
	ExtCachedInfo:                         "cached_info",
	ExtTLSLTS:                             "tls_lts",
	ExtCompressCertificate:                "compress_certificate",
	ExtRecordSizeLimit:                    "record_size_limit",
	ExtPwdProtect:                         "pwd_protect",
	ExtPwdClear:                           "pwd_clear",
	ExtPasswordSalt:                       "password_salt",
	ExtTicketPinning:                      "ticket_pinning",
	ExtTLSCertWithExternPSK:               "tls_cert_with_extern_psk",
	ExtDelegatedCredential:                "delegated_credential",
	ExtSessionTicket:                      "session_ticket",
	ExtTLMSP:                              "TLMSP",
	ExtTLMSPProxying:                      "TLMSP_proxying",
	ExtTLMSPDelegate:                      "TLMSP_delegate",
	ExtSupportedEKTCiphers:                "supported_ekt_ciphers",
	ExtPreSharedKey:                       "pre_shared_key",
	ExtEarlyData:                          "early_data",
	ExtSupportedVersions:                  "supported_versions",
	ExtCookie:                             "cookie",
	ExtPSKKeyExchangeModes:                "psk_key_exchange_modes",
	ExtCertificateAuthorities:             "certificate_authorities",
	ExtOIDFilters:                         "oid_filters",
	ExtPostHandshakeAuth:                  "post_handshake_auth",
	ExtSignatureAlgorithmsCert:            "signature_algorithms_cert",
	ExtKeyShare:                           "key_share",
	ExtTransparencyInfo:                   "transparency_info",
	ExtConnectionIDDeprecated:             "connection_id (deprecated)",
	ExtConnectionID:                       "connection_id",
	ExtExternalIDHash:                     "external_id_hash",
	ExtExternalSessionID:                  "external_session_id",
	ExtQUICTransportParameters:            "quic_transport_parameters",
	ExtTicketRequest:                      "ticket_request",
	ExtDNSSECChain:                        "dnssec_chain",
	ExtSequenceNumberEncryptionAlgorithms: "sequence_number_encryption_algorithms",
	ExtRRC:                                "rrc",
	ExtTLSFlags:                           "tls_flags",
	ExtECHOuterExtensions:                 "ech_outer_extensions",
	ExtEncryptedClientHello:               "encrypted_client_hello",
	ExtApplicationSettings:                "application_settings",
	ExtNextProtocolNegotiation:            "next_protocol_negotiation",
	ExtChannelID:                          "channel_id",
	ExtRenegotiationInfo:                  "renegotiation_info",
}

// ExtensionName names an extension type ("key_share"); GREASE values give
// "GREASE", unknown ones "ext(N)".
func ExtensionName(t uint16) string {
	if n, ok := extensionNames[t]; ok {
		return n
	}
	if IsGREASE(t) {
		return "GREASE"
	}
	return fmt.Sprintf("ext(%d)", t)
}

// Named groups (IANA TLS Supported Groups) the scanner offers by name;
// GenerateKeyShare knows all but the TLS 1.2 brainpool curves.
const (
	GroupSecp256r1            uint16 = 0x0017
	GroupSecp384r1            uint16 = 0x0018
	GroupSecp521r1            uint16 = 0x0019
	GroupX25519               uint16 = 0x001d
	GroupX448                 uint16 = 0x001e
	GroupBrainpoolP256r1      uint16 = 0x001a
	GroupBrainpoolP384r1      uint16 = 0x001b
	GroupBrainpoolP512r1      uint16 = 0x001c
	GroupFFDHE2048            uint16 = 0x0100
	GroupFFDHE3072            uint16 = 0x0101
	GroupFFDHE4096            uint16 = 0x0102
	GroupFFDHE6144            uint16 = 0x0103
	GroupFFDHE8192            uint16 = 0x0104
	GroupMLKEM512             uint16 = 0x0200
	GroupMLKEM768             uint16 = 0x0201
	GroupMLKEM1024            uint16 = 0x0202
	GroupSecP256r1MLKEM768    uint16 = 0x11eb
	GroupX25519MLKEM768       uint16 = 0x11ec
	GroupSecP384r1MLKEM1024   uint16 = 0x11ed
	GroupBrainpoolP256r1TLS13 uint16 = 0x001f
	GroupBrainpoolP384r1TLS13 uint16 = 0x0020
	GroupBrainpoolP512r1TLS13 uint16 = 0x0021
)

// TLS 1.3 cipher suites.
const (
	TLS_AES_128_GCM_SHA256       uint16 = 0x1301
	TLS_AES_256_GCM_SHA384       uint16 = 0x1302
	TLS_CHACHA20_POLY1305_SHA256 uint16 = 0x1303
	TLS_AES_128_CCM_SHA256       uint16 = 0x1304
	TLS_AES_128_CCM_8_SHA256     uint16 = 0x1305
)

// Signalling cipher suite values.
const (
	SCSVRenegotiation uint16 = 0x00ff // TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746)
	SCSVFallback      uint16 = 0x5600 // TLS_FALLBACK_SCSV (RFC 7507)
)

// IsGREASE reports whether v is one of the RFC 8701 reserved values 0x?a?a.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// greaseValue returns the i-th GREASE value (i mod 16).
func greaseValue(i int) uint16 {
	b := uint16(i%16)<<4 | 0x0a
	return b<<8 | b
}
