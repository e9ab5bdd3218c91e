package server

import (
	"container/list"
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// weightedLRU is a least-recently-used cache bounded by the summed weight
// of its entries, not by their number: a parsed query costs memory in
// proportion to its text (measured: a 30 KB query's validated document
// retains about 1 MB), so a count bound alone let 1,000 distinct 30 KB
// queries hold 3.4 GB. gqlgen's lru and hashicorp/golang-lru bound counts
// only, and ristretto's admission is asynchronous (an Add may be dropped),
// which the hand-over below cannot use; hence these few lines.
//
// An entry heavier than maxEntry is kept only until the next Get of its
// key, which takes it out: that hands a document validated by admitQuery to
// gqlgen's executor without letting one large query occupy the cache.
type weightedLRU[T any] struct {
	weigh              func(key string, v T) int64
	maxTotal, maxEntry int64

	mu     sync.Mutex
	order  *list.List // front: most recently used
	items  map[string]*list.Element
	weight int64
}

type weightedEntry[T any] struct {
	key     string
	value   T
	weight  int64
	oneShot bool
}

var _ graphql.Cache[*ast.QueryDocument] = (*weightedLRU[*ast.QueryDocument])(nil)

func newWeightedLRU[T any](maxTotal, maxEntry int64, weigh func(string, T) int64) *weightedLRU[T] {
	return &weightedLRU[T]{weigh: weigh, maxTotal: maxTotal, maxEntry: maxEntry,
		order: list.New(), items: map[string]*list.Element{}}
}

func (c *weightedLRU[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero T
		return zero, false
	}
	e := el.Value.(*weightedEntry[T])
	if e.oneShot {
		c.remove(el)
	} else {
		c.order.MoveToFront(el)
	}
	return e.value, true
}

// Contains reports whether key is cached, without counting as a use and
// without taking a one-shot entry.
func (c *weightedLRU[T]) Contains(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.items[key]
	return ok
}

func (c *weightedLRU[T]) Add(_ context.Context, key string, v T) {
	w := c.weigh(key, v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	e := &weightedEntry[T]{key: key, value: v, weight: w, oneShot: w > c.maxEntry}
	c.items[key] = c.order.PushFront(e)
	c.weight += w
	// Evict from the back, but never the entry just added: a one-shot
	// entry must survive until its Get even when it alone is over budget.
	for c.weight > c.maxTotal && c.order.Len() > 1 {
		c.remove(c.order.Back())
	}
}

// Weight is the summed weight of the cached entries.
func (c *weightedLRU[T]) Weight() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.weight
}

// Len is the number of cached entries.
func (c *weightedLRU[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func (c *weightedLRU[T]) remove(el *list.Element) {
	e := el.Value.(*weightedEntry[T])
	c.order.Remove(el)
	delete(c.items, e.key)
	c.weight -= e.weight
}
