package main

import "io"

// runInspect is a placeholder until the certificates engineer adds
// cmd/tlsaudit/inspect.go with the real `tlsaudit inspect`; delete this file
// in the same commit.
func runInspect(args []string, stdout, stderr io.Writer) int {
	return usageError(stderr, "inspect is not available in this build yet", "")
}
