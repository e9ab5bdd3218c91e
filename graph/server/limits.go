package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
)

// Defaults of the limits on one request (Options); the README's "Access and
// limits" lists them.
const (
	DefaultMaxComplexity  = 10000
	DefaultMaxDepth       = 12
	DefaultMaxAliases     = 30
	DefaultRequestTimeout = 10 * time.Second
)

// shape is what limitOperation measures of a selection set, fragments
// expanded: how deep its fields nest and how many aliases it holds.
type shape struct {
	depth       int
	aliases     int
	introspects bool // selects __schema or __type
}

// limitOperation refuses an operation that nests deeper than maxDepth
// fields, holds more than maxAliases aliases (each aliased field counted as
// often as fragments repeat it), or, when introspection is off, selects
// __schema or __type. It runs after validation and before the complexity
// limit, as an operation context mutator, so the transport can still choose
// the HTTP status.
//
// Fields inside __schema and __type do not count towards the depth:
// GraphiQL's introspection query nests ofType deeper than any real query
// needs, and gqlparser bounds introspection depth itself.
type limitOperation struct {
	maxDepth, maxAliases int
	introspection        bool
}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = limitOperation{}

func (limitOperation) ExtensionName() string                   { return "Limits" }
func (limitOperation) Validate(graphql.ExecutableSchema) error { return nil }

func (l limitOperation) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	m := measurer{memo: map[string]shape{}, active: map[string]bool{}}
	s := m.selectionSet(opCtx.Operation.SelectionSet)
	switch {
	case s.introspects && !l.introspection:
		return refusal(codeForbidden, http.StatusForbidden, "introspection is disabled on this server")
	case s.depth > l.maxDepth:
		return tooComplex(fmt.Sprintf("the operation nests %d fields deep, more than the limit of %d", s.depth, l.maxDepth))
	case s.aliases > l.maxAliases:
		return tooComplex(fmt.Sprintf("the operation has %d aliases, more than the limit of %d", s.aliases, l.maxAliases))
	}
	return nil
}

// measurer walks a selection set. Each fragment is measured once and
// remembered, since its shape does not depend on where it is spread: the
// walk is linear in the size of the document even when fragments spread
// each other many times over. A fragment spread inside itself (validation
// rejects such cycles before this runs) counts as empty instead of
// recursing without end.
type measurer struct {
	memo   map[string]shape
	active map[string]bool
}

func (m *measurer) selectionSet(set ast.SelectionSet) shape {
	var out shape
	for _, sel := range set {
		var s shape
		switch sel := sel.(type) {
		case *ast.Field:
			s = m.field(sel)
		case *ast.InlineFragment:
			s = m.selectionSet(sel.SelectionSet)
		case *ast.FragmentSpread:
			s = m.fragment(sel)
		}
		out.depth = max(out.depth, s.depth)
		out.aliases = satAdd(out.aliases, s.aliases)
		out.introspects = out.introspects || s.introspects
	}
	return out
}

func (m *measurer) field(f *ast.Field) shape {
	s := m.selectionSet(f.SelectionSet)
	if f.Alias != "" && f.Alias != f.Name {
		s.aliases = satAdd(s.aliases, 1)
	}
	if f.Name == "__schema" || f.Name == "__type" {
		s.introspects = true
		s.depth = 1
		return s
	}
	s.depth++
	return s
}

func (m *measurer) fragment(spread *ast.FragmentSpread) shape {
	if s, ok := m.memo[spread.Name]; ok {
		return s
	}
	if spread.Definition == nil || m.active[spread.Name] {
		return shape{}
	}
	m.active[spread.Name] = true
	s := m.selectionSet(spread.Definition.SelectionSet)
	delete(m.active, spread.Name)
	m.memo[spread.Name] = s
	return s
}

func satAdd(a, b int) int {
	if c := a + b; c >= a {
		return c
	}
	return int(^uint(0) >> 1)
}

// tooComplex is a QUERY_TOO_COMPLEX refusal of a request.
func tooComplex(message string) *gqlerror.Error {
	e := &gqlerror.Error{Message: message}
	setCode(e, db.CodeTooComplex)
	return e
}

// refusal is an error with a code and a fixed HTTP status.
func refusal(code db.Code, status int, message string) *gqlerror.Error {
	e := &gqlerror.Error{Message: message, Err: &httpStatus{status: status}}
	setCode(e, code)
	return e
}

type timeoutKey struct{}

// withTimeout bounds the whole request by d: its context is cancelled at
// the deadline, which interrupts the SQL statement running then
// (go-sqlite3 watches the context) and makes the transport answer with
// timeoutError.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		ctx = context.WithValue(ctx, timeoutKey{}, d)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// timedOut reports whether ctx's request ran past its timeout.
func timedOut(ctx context.Context) bool {
	_, ok := ctx.Value(timeoutKey{}).(time.Duration)
	return ok && ctx.Err() == context.DeadlineExceeded
}

// timeoutError is the error of a request cancelled at its timeout.
func timeoutError(ctx context.Context) *gqlerror.Error {
	d, _ := ctx.Value(timeoutKey{}).(time.Duration)
	return tooComplex(fmt.Sprintf("the request took longer than %s and was cancelled", d))
}
