package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/graph/cost"
)

// listLengthsEvery is how old the measured list lengths may grow before an
// operation has them measured again. Measuring scans a few tables (70 ms
// at 100,000 events); an idle server measures nothing.
const listLengthsEvery = 30 * time.Second

// listLengths keeps cost.Lists in step with the store: measured when the
// handler is made, and again in the background when an operation arrives
// and the figures are older than listLengthsEvery. Until a write is
// measured, a list it lengthened is priced by the old figure (and at least
// cost.ListEstimate); the response-size bound and the timeout still hold.
type listLengths struct {
	store  Store
	logger *slog.Logger
	lists  *cost.Lists
	now    func() time.Time

	mu        sync.Mutex
	measured  time.Time
	measuring bool
}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = (*listLengths)(nil)

func newListLengths(store Store, logger *slog.Logger) *listLengths {
	l := &listLengths{store: store, logger: logger, lists: &cost.Lists{}, now: time.Now}
	l.measure()
	return l
}

func (*listLengths) ExtensionName() string                   { return "ListLengths" }
func (*listLengths) Validate(graphql.ExecutableSchema) error { return nil }

func (l *listLengths) MutateOperationContext(context.Context, *graphql.OperationContext) *gqlerror.Error {
	l.mu.Lock()
	stale := !l.measuring && l.now().Sub(l.measured) >= listLengthsEvery
	if stale {
		l.measuring = true
	}
	l.mu.Unlock()
	if stale {
		go l.measure()
	}
	return nil
}

// measure reads the lengths from the store into lists. A failure keeps
// the old figures, and is logged: prices fall back, they do not fail.
func (l *listLengths) measure() {
	// Not the request's context: the measurement outlives the request
	// that asked for it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := l.store.ListLengths(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.measuring = false
	l.measured = l.now()
	if err != nil {
		l.logger.Warn("list lengths not measured: plain lists keep their old prices", "err", err)
		return
	}
	l.lists.Set(v)
}

// lengths are the figures prices use now, for tests.
func (l *listLengths) lengths() db.ListLengths { return l.lists.Get() }
