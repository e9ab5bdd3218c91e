package loader

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrNotFound is a loader's "no record for that key".
var ErrNotFound = errors.New("loader: not found")

// Loader reads records of one kind by key for one request and remembers
// them, so a record asked for twice in one answer is fetched once.
//
// It never waits to collect keys: gqlgen's batch resolvers hand it every
// sibling key of a level in one call, which it fetches at once with one
// store call, so a time window would have nothing left to collect and would
// only add its sleep to every nesting level (a 100 µs timer sleeps about a
// millisecond here). The only wait is for a fetch already under way: a key
// that another goroutine of the same request is fetching is not fetched
// again, its caller waits for that fetch to end.
type Loader[K comparable, V any] struct {
	fetch func(context.Context, []K) (map[K]V, error)

	mu    sync.Mutex
	calls map[K]*call[K, V] // each key asked for, with the fetch that reads it
}

// call is one fetch: done closes when vals and err are set.
type call[K comparable, V any] struct {
	done chan struct{}
	vals map[K]V
	err  error
}

// newLoader returns a loader that reads the keys it does not have with
// fetch, which returns the records found by key and leaves out the others.
func newLoader[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error)) *Loader[K, V] {
	return &Loader[K, V]{fetch: fetch}
}

// load returns the value of each key at its position and whether it was
// found. Keys equal to the zero key ("", 0) are references that are not
// set: they are neither fetched nor found.
func (l *Loader[K, V]) load(ctx context.Context, keys []K) ([]V, []bool, error) {
	var zero K
	var missing []K
	var mine *call[K, V]
	calls := make([]*call[K, V], len(keys))
	l.mu.Lock()
	if l.calls == nil {
		l.calls = make(map[K]*call[K, V], len(keys))
	}
	for i, k := range keys {
		if k == zero {
			continue
		}
		c, ok := l.calls[k]
		if !ok {
			if mine == nil {
				mine = &call[K, V]{done: make(chan struct{})}
			}
			c = mine
			l.calls[k] = c
			missing = append(missing, k)
		}
		calls[i] = c
	}
	l.mu.Unlock()
	if mine != nil {
		l.run(ctx, mine, missing)
	}
	vals := make([]V, len(keys))
	found := make([]bool, len(keys))
	for i, c := range calls {
		if c == nil {
			continue
		}
		if c != mine {
			select {
			case <-c.done:
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		if c.err != nil {
			return nil, nil, c.err
		}
		vals[i], found[i] = c.vals[keys[i]]
	}
	return vals, found, nil
}

// run fetches keys for c and releases whoever waits on it, even when the
// fetch panics (gqlgen recovers the panic; the waiters get an error).
func (l *Loader[K, V]) run(ctx context.Context, c *call[K, V], keys []K) {
	defer func() {
		if r := recover(); r != nil {
			c.err = fmt.Errorf("loader: fetch panicked: %v", r)
			close(c.done)
			panic(r)
		}
		close(c.done)
	}()
	c.vals, c.err = l.fetch(ctx, keys)
}

// Load loads one key. A key without a record is ErrNotFound.
func Load[K comparable, V any](ctx context.Context, l *Loader[K, V], key K) (V, error) {
	vals, found, err := l.load(ctx, []K{key})
	if err != nil {
		var zero V
		return zero, err
	}
	if !found[0] {
		return vals[0], fmt.Errorf("%w: %v", ErrNotFound, key)
	}
	return vals[0], nil
}

// Maybe loads one key and turns "not found" into the zero value (a nil
// record): references that may dangle (an optional link) and lists that
// may be empty.
func Maybe[K comparable, V any](ctx context.Context, l *Loader[K, V], key K) (V, error) {
	vals, _, err := l.load(ctx, []K{key})
	if err != nil {
		var zero V
		return zero, err
	}
	return vals[0], nil
}

// Each loads one value per key for a batch resolver, with one store call
// for all the keys not already loaded. Zero keys ("", 0) and keys not found
// give the zero value at their position.
func Each[K comparable, V any](ctx context.Context, l *Loader[K, V], keys []K) ([]V, error) {
	vals, _, err := l.load(ctx, keys)
	return vals, err
}

// All loads the records of a page, whose keys were read in the same
// snapshot as the records: every key must have one, and one that does not
// is ErrNotFound.
func All[K comparable, V any](ctx context.Context, l *Loader[K, V], keys []K) ([]V, error) {
	vals, found, err := l.load(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i, ok := range found {
		if !ok {
			return nil, fmt.Errorf("%w: %v", ErrNotFound, keys[i])
		}
	}
	return vals, nil
}

// EachList loads a list of keys per parent in one batch and returns the
// values found, grouped as the keys were; each group is non-nil.
func EachList[K comparable, V comparable](ctx context.Context, l *Loader[K, V], groups [][]K) ([][]V, error) {
	var flat []K
	for _, g := range groups {
		flat = append(flat, g...)
	}
	vals, err := Each(ctx, l, flat)
	if err != nil {
		return nil, err
	}
	var zero V
	out := make([][]V, len(groups))
	for i, g := range groups {
		out[i] = make([]V, 0, len(g))
		for range g {
			if vals[0] != zero {
				out[i] = append(out[i], vals[0])
			}
			vals = vals[1:]
		}
	}
	return out, nil
}
