package server

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/graph/loader"
)

// operationTimeout gives an operation that has no deadline yet (a query or
// mutation sent over a websocket; HTTP requests get theirs from
// withTimeout) the request timeout. Subscriptions run until the client
// stops them.
type operationTimeout struct{ d time.Duration }

var _ interface {
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = operationTimeout{}

func (operationTimeout) ExtensionName() string                   { return "OperationTimeout" }
func (operationTimeout) Validate(graphql.ExecutableSchema) error { return nil }

func (t operationTimeout) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if _, has := ctx.Deadline(); has || isSubscription(ctx) {
		return next(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, t.d)
	ctx = context.WithValue(ctx, timeoutKey{}, t.d)
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		// A query or mutation answers once: the timeout ends with it.
		defer cancel()
		resp := responses(ctx)
		if resp != nil && timedOut(ctx) && len(resp.Errors) > 0 {
			return &graphql.Response{Errors: gqlerror.List{timeoutError(ctx)}}
		}
		return resp
	}
}

// subscriptionLoaders gives each message of a subscription fresh loaders.
// The loaders of loader.Middleware belong to the HTTP request, which for a
// websocket lasts as long as the connection: reused, they would serve every
// later message the records they cached for the first.
type subscriptionLoaders struct{ store Store }

var _ interface {
	graphql.ResponseInterceptor
	graphql.HandlerExtension
} = subscriptionLoaders{}

func (subscriptionLoaders) ExtensionName() string                   { return "SubscriptionLoaders" }
func (subscriptionLoaders) Validate(graphql.ExecutableSchema) error { return nil }

func (l subscriptionLoaders) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if isSubscription(ctx) {
		ctx = loader.With(ctx, l.store)
	}
	return next(ctx)
}

// isSubscription reports whether ctx's operation is a subscription. Errors
// found before there is an operation (a query that does not validate) are
// answered through the response interceptors too, without one.
func isSubscription(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Subscription
}

// readSnapshots runs each query on one snapshot of the database
// (a store's Snapshot): a write that commits while the query runs is
// wholly visible to it or not at all, so a page never lists a record that
// its next statement cannot find. Mutations read what they wrote, outside
// any snapshot; a subscription's messages are read as they come.
type readSnapshots struct{ store Store }

var _ interface {
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = readSnapshots{}

func (readSnapshots) ExtensionName() string                   { return "ReadSnapshots" }
func (readSnapshots) Validate(graphql.ExecutableSchema) error { return nil }

func (r readSnapshots) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Query {
		return next(ctx)
	}
	ctx, release := r.store.Snapshot(ctx)
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		// A query answers once: the snapshot ends with its answer.
		defer release()
		return responses(ctx)
	}
}
