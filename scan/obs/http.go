package obs

// HTTP is the result of an HTTP/1.1 request over the audited TLS connection.
type HTTP struct {
}
