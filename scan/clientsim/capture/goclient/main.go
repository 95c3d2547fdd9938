// Command goclient is Go's crypto/tls client with its default configuration,
// for capture.sh: it connects to ADDR with server name NAME and prints the
// negotiated protocol, suite and group (or the error).
//
//	goclient 127.0.0.1:8443 tlsaudit.test
package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: goclient ADDR SERVERNAME")
		os.Exit(2)
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	// Certificate checks do not change the ClientHello; the capture server
	// and the test servers use private CAs.
	c, err := tls.DialWithDialer(d, "tcp", os.Args[1], &tls.Config{ServerName: os.Args[2], InsecureSkipVerify: true})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	defer c.Close()
	st := c.ConnectionState()
	fmt.Printf("protocol=%s suite=%s group=%s\n", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.CurveID)
}
