package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// audit, server and output writer of a run must end with it.
//
// The end-to-end tests look for phrases in the text report, which is
// wrapped at the terminal's width (80 columns off a terminal): they run on
// a wide one, so that a phrase stays on one line.
// The width tests set their own (a pseudo-terminal's size wins over
// COLUMNS).
func TestMain(m *testing.M) {
	os.Setenv("COLUMNS", "200")
	goleak.VerifyTestMain(m)
}
