package obs

import "time"

// DaysLeft is the number of whole days from at until notAfter, truncated
// toward zero: negative once expired, and a certificate that expired 30
// days and 20 minutes before at has -30 (SSL Labs shows whole days
// elapsed). Every report format and check uses this one rule.
func DaysLeft(notAfter, at time.Time) int {
	return int(notAfter.Sub(at) / (24 * time.Hour))
}
