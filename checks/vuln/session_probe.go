package vuln

// IDs of the full-handshake probe checks the grade does not read.
const (
	IDClientRenegotiation = "vuln.client_renegotiation"
	IDNoSessionResumption = "vuln.no_session_resumption"
	IDEarlyData           = "vuln.early_data"
)
