package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
)

// dataVersioner tells whether anything was committed to the database
// between two calls (a store's DataVersion).
type dataVersioner interface {
	DataVersion(ctx context.Context) (int64, error)
}

// responseCache answers a query the server has answered before with the
// same answer, as long as nothing was committed to the database since:
// dashboards send the same few queries over and over. Every commit, by this
// server or by another process on the same file, empties it, so an answer
// never predates the last commit; the data version is read before the
// query's snapshot begins, so what is stored under a version is that
// version's state or a later one, and a later one is found only by
// requests that started before its commit.
//
// Only queries whose answer has no errors and no extensions are kept. It
// runs after the access checks, the price and the timeout, so a cached
// answer is refused to whom the query would be, and counts in the metrics
// like any other.
type responseCache struct {
	versions dataVersioner
	maxTotal int64
	maxEntry int64
	lookups  *prometheus.CounterVec

	mu      sync.Mutex
	version int64
	entries *weightedLRU[json.RawMessage]
}

var _ interface {
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = (*responseCache)(nil)

// responseOverhead is what an entry costs besides its data: the key, the
// list element and the map slot.
const responseOverhead = 200

func newResponseCache(versions dataVersioner, maxBytes int64, reg prometheus.Registerer) *responseCache {
	c := &responseCache{versions: versions, maxTotal: maxBytes, maxEntry: maxBytes / 16,
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geotimeline_response_cache_lookups_total",
			Help: "Queries looked up in the response cache, by outcome: hit, miss, or bypass when the database's version could not be read.",
		}, []string{"outcome"})}
	reg.MustRegister(c.lookups)
	c.entries = c.newEntries()
	return c
}

func (c *responseCache) newEntries() *weightedLRU[json.RawMessage] {
	return newWeightedLRU(c.maxTotal, c.maxTotal, func(_ string, data json.RawMessage) int64 {
		return int64(len(data)) + responseOverhead
	})
}

func (*responseCache) ExtensionName() string                   { return "ResponseCache" }
func (*responseCache) Validate(graphql.ExecutableSchema) error { return nil }

func (c *responseCache) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	if opCtx.Operation == nil || opCtx.Operation.Operation != ast.Query {
		return next(ctx)
	}
	key, ok := responseKey(opCtx)
	if !ok {
		return next(ctx)
	}
	entries, ok := c.current(ctx)
	if !ok {
		c.lookups.WithLabelValues("bypass").Inc()
		return next(ctx)
	}
	if data, hit := entries.Get(ctx, key); hit {
		c.lookups.WithLabelValues("hit").Inc()
		return graphql.OneShot(&graphql.Response{Data: data})
	}
	c.lookups.WithLabelValues("miss").Inc()
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp != nil && len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Data != nil &&
			int64(len(resp.Data))+responseOverhead <= c.maxEntry {
			// Entries of a version since replaced go into a cache no one
			// reads any more, and leave with it.
			entries.Add(ctx, key, resp.Data)
		}
		return resp
	}
}

// current returns the entries of the database's current version, emptied
// when the version moved on; false when the version cannot be read, and
// then the query runs uncached.
func (c *responseCache) current(ctx context.Context) (*weightedLRU[json.RawMessage], bool) {
	v, err := c.versions.DataVersion(ctx)
	if err != nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v != c.version {
		c.version = v
		c.entries = c.newEntries()
	}
	return c.entries, true
}

// responseKey identifies an answer: the operation chosen, the document's
// text and the variables' values (encoding/json writes map keys sorted, so
// equal variables give equal bytes). Hashed, so a long query costs the
// cache 32 bytes of key.
func responseKey(opCtx *graphql.OperationContext) (string, bool) {
	vars, err := json.Marshal(opCtx.Variables)
	if err != nil {
		return "", false
	}
	h := sha256.New()
	h.Write([]byte(opCtx.OperationName))
	h.Write([]byte{0})
	h.Write([]byte(opCtx.RawQuery))
	h.Write([]byte{0})
	h.Write(vars)
	return hex.EncodeToString(h.Sum(nil)), true
}
