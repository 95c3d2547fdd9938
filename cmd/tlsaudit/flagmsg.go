package main

import "regexp"

// goFlagName matches a flag name as the flag package writes it in its
// errors ("flag provided but not defined: -bogus", "invalid value "x" for
// flag -concurrency: parse error").
var goFlagName = regexp.MustCompile(`(^|[:\s])-([a-z][a-z0-9-]*)\b`)

// flagMessage writes flag names in a flag package error as the help does,
// with two dashes.
func flagMessage(msg string) string {
	return goFlagName.ReplaceAllString(msg, "${1}--${2}")
}
