// Package cipher holds the cipher-suite checks (IDs "cipher.*"). They judge
// the suites a server accepts (testssl.sh "offered" semantics). Each check
// lives in its own file and adds itself to the package's list in init();
// Checks returns them.
package cipher

import "github.com/tlsaudit/tlsaudit/checks"

// registered holds the checks of this package; each check's file adds its
// own in init.
var registered checks.List

func register(c checks.Check) { registered.Add(c) }

// Checks returns the checks of this package.
func Checks() []checks.Check { return registered.Checks() }
