package grade

import (
	"fmt"
	"strings"
)

// NextFixes returns the caps and warnings that hold the grade at its
// current letter: fixing all of them is what the next better grade needs.
// Trust (T) and name mismatch (M) caps come first; otherwise the caps whose
// grade equals the letter; for A- the warnings; when no rule holds the
// letter, a "score" cap naming the weakest sub-score. Order is the grade's.
func (g *Grade) NextFixes() []Cap {
	if g == nil || g.Letter == "" {
		return nil
	}
	var out []Cap
	for _, c := range g.Caps {
		if c.Grade == g.Letter {
			out = append(out, c)
		}
	}
	if len(out) == 0 && g.Letter == "A-" {
		out = append(out, g.Warnings...)
	}
	if r, _ := Rank(g.Letter); len(out) == 0 && r > 2 { // below A-
		parts := []struct {
			name  string
			score int
		}{{"Protocol support", g.Protocol}, {"Key exchange", g.KeyExchange}, {"Cipher strength", g.Cipher}}
		weakest := parts[0]
		for _, p := range parts[1:] {
			if p.score < weakest.score {
				weakest = p
			}
		}
		out = append(out, Cap{Grade: g.Letter, Rule: "score",
			Reason: fmt.Sprintf("raise the score %d (weakest: %s %d)", g.Score, strings.ToLower(weakest.name), weakest.score)})
	}
	return out
}
