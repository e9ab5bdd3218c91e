package live

import (
	"context"
	"errors"
	"fmt"
)

// ErrLimitReached is returned, inside a *LimitError, by Subscribe when one
// of the limits of its context (see WithLimits) is full.
var ErrLimitReached = errors.New("live: a subscription limit is reached")

// Limit caps the open subscriptions of one holder: a connection, say, or
// a client. The hub counts subscriptions by Key, so holders that share a
// key share the cap; it knows nothing else about them.
type Limit struct {
	// Key names the holder; keys of different kinds of holder must not
	// collide ("connection:7", "client:dashboard").
	Key string
	// Max is how many subscriptions may be open under Key at once.
	Max int
	// Refusal is what the refused client is told: the caller words it,
	// since it knows what the key stands for and how Max is raised.
	Refusal string
}

// LimitError is the error of a subscription refused by a full Limit.
type LimitError struct {
	Limit Limit
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("live: %s already holds %d open subscriptions, its limit", e.Limit.Key, e.Limit.Max)
}

func (e *LimitError) Unwrap() error { return ErrLimitReached }

type limitsKey struct{}

// WithLimits returns ctx with limits added to those Subscribe enforces for
// subscriptions made under it. The server adds them once per connection,
// and every operation of the connection inherits its context.
func WithLimits(ctx context.Context, limits ...Limit) context.Context {
	all := append(append([]Limit(nil), limitsFrom(ctx)...), limits...)
	return context.WithValue(ctx, limitsKey{}, all)
}

func limitsFrom(ctx context.Context) []Limit {
	l, _ := ctx.Value(limitsKey{}).([]Limit)
	return l
}
