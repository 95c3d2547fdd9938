package certcache

import "sync"

// Bounded is a map safe for concurrent use that starts over (forgets every
// entry) when it holds its cap: the caches of a batch keep memory flat
// however long the target list.
type Bounded[K comparable, V any] struct {
	mu  sync.Mutex
	m   map[K]V
	cap int
}

// NewBounded returns an empty cache of at most cap entries.
func NewBounded[K comparable, V any](cap int) *Bounded[K, V] {
	return &Bounded[K, V]{m: map[K]V{}, cap: cap}
}

// Get returns the value kept for k.
func (b *Bounded[K, V]) Get(k K) (V, bool) {
	b.mu.Lock()
	v, ok := b.m[k]
	b.mu.Unlock()
	return v, ok
}

// Put keeps v for k.
func (b *Bounded[K, V]) Put(k K, v V) {
	b.mu.Lock()
	if len(b.m) >= b.cap {
		clear(b.m)
	}
	b.m[k] = v
	b.mu.Unlock()
}

// GetOrPut returns the value kept for k, keeping mk() for it first when
// there is none (mk runs under the lock: keep it cheap).
func (b *Bounded[K, V]) GetOrPut(k K, mk func() V) V {
	b.mu.Lock()
	defer b.mu.Unlock()
	if v, ok := b.m[k]; ok {
		return v
	}
	if len(b.m) >= b.cap {
		clear(b.m)
	}
	v := mk()
	b.m[k] = v
	return v
}

// Len returns the number of entries kept.
func (b *Bounded[K, V]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}

// Reset forgets every entry.
func (b *Bounded[K, V]) Reset() {
	b.mu.Lock()
	clear(b.m)
	b.mu.Unlock()
}
