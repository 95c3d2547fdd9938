// Package grade computes an SSL Labs-compatible rating from an observation
// and its findings. Pure: no I/O.
package grade

// Cap is one rule that limited (or lifted) the grade, with its reason.
type Cap struct {
	Grade   string `json:"grade"`              // the maximum grade this rule allows: "A-", "B", "C", "F", "T", "M", ...
	Reason  string `json:"reason"`             // what to fix
	CheckID string `json:"check_id,omitempty"` // the check behind it
	Rule    string `json:"rule"`               // rule identifier within the rule set
}

// Grade is the rating of one endpoint.
type Grade struct {
	Letter       string `json:"letter"`        // "A+", "A", "A-", "B", ..., "F", "T", "M"
	RuleSet      string `json:"rule_set"`      // e.g. "ssllabs-2009r"
	Score        int    `json:"score"`         // 0-100 weighted total
	Protocol     int    `json:"protocol"`      // 0-100
	KeyExchange  int    `json:"key_exchange"`  // 0-100
	Cipher       int    `json:"cipher"`        // 0-100
	TrustIgnored string `json:"trust_ignored"` // the letter if trust problems were ignored
	Caps         []Cap  `json:"caps,omitempty"`
	Warnings     []Cap  `json:"warnings,omitempty"`
}
