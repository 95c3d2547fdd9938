package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// audit, server and output writer of a run must end with it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
