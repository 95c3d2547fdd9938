// Command gen regenerates scan/registry/suites_table.go from suites.txt.
// Run it with "go generate ./scan/registry/".
package main

import (
	"log"
	"os"

	"github.com/tlsaudit/tlsaudit/scan/registry/internal/suitegen"
)

func main() {
	data, err := os.ReadFile("suites.txt")
	if err != nil {
		log.Fatal(err)
	}
	src, err := suitegen.Generate(data)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("suites_table.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
