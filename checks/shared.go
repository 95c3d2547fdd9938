package checks

import "sync"

// Shared holds what the checks of one evaluation compute once and share,
// such as the certificate analysis every cert.* check judges. It belongs to
// the evaluation: Run makes one when Env.Shared is nil, and a caller that
// sets its own reads the shared values back with the findings (for
// instance cert.AnalysisOf). Values are keyed by the observation they were
// computed from. Safe for concurrent use; the nil *Shared keeps nothing.
type Shared struct {
	mu   sync.Mutex
	vals map[any]*sharedValue
}

type sharedValue struct {
	once sync.Once
	v    any
}

// Value returns the value kept for key, made by mk the first time
// (concurrent callers wait for it rather than make another).
func (s *Shared) Value(key any, mk func() any) any {
	if s == nil {
		return mk()
	}
	s.mu.Lock()
	if s.vals == nil {
		s.vals = map[any]*sharedValue{}
	}
	e := s.vals[key]
	if e == nil {
		e = &sharedValue{}
		s.vals[key] = e
	}
	s.mu.Unlock()
	e.once.Do(func() { e.v = mk() })
	return e.v
}

// Lookup returns the value kept for key, if one was made.
func (s *Shared) Lookup(key any) (any, bool) {
	if s == nil {
		return nil, false
	}
	s.mu.Lock()
	e := s.vals[key]
	s.mu.Unlock()
	if e == nil {
		return nil, false
	}
	e.once.Do(func() {}) // waits for a value being made
	return e.v, e.v != nil
}
