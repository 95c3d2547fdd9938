// Package all registers every check category: import it for its side effect.
//
//	import _ "github.com/tlsaudit/tlsaudit/checks/all"
package all

import (
	// One line per category, never per check.
	_ "github.com/tlsaudit/tlsaudit/checks/cert"
	_ "github.com/tlsaudit/tlsaudit/checks/cipher"
	_ "github.com/tlsaudit/tlsaudit/checks/http"
	_ "github.com/tlsaudit/tlsaudit/checks/kx"
	_ "github.com/tlsaudit/tlsaudit/checks/proto"
	_ "github.com/tlsaudit/tlsaudit/checks/vuln"
)
