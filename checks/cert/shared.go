package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// analysisKey keys the Analysis of one observation in checks.Shared.
type analysisKey struct{ o *obs.Observation }

// analysisFor returns the Analysis of o under env, computed once per
// evaluation: every cert.* check of one checks.Run judges the same value.
func analysisFor(o *obs.Observation, env checks.Env) *certanalysis.Analysis {
	return env.Shared.Value(analysisKey{o}, func() any { return Analyze(o, env) }).(*certanalysis.Analysis)
}

// AnalysisOf returns the Analysis the cert.* checks judged for o in the
// evaluation that used s (nil when none of them analysed o, e.g. no chain
// was served). Callers carry it into reports so no format recomputes it.
func AnalysisOf(s *checks.Shared, o *obs.Observation) *certanalysis.Analysis {
	v, ok := s.Lookup(analysisKey{o})
	if !ok {
		return nil
	}
	return v.(*certanalysis.Analysis)
}
