// Package cipher holds the cipher-suite checks (IDs "cipher.*"). They judge
// the suites a server accepts (testssl.sh "offered" semantics). Each check
// lives in its own file and registers itself in init().
package cipher
