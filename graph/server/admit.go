package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/geotimeline/geotimeline/db"
)

// Bounds checked on a query's text before it is validated. gqlparser's
// validation is quadratic in the fields that share a response name in one
// selection set (OverlappingFieldsCanBeMerged compares every pair, and the
// pair's sub-selections again): measured here, 1,000 `__typename`s took
// 42 ms, 4,000 took 0.67 s, 14,000 about 10 s, and nothing interrupts the
// comparison once it runs. These bounds keep the worst document the
// parser's token limit lets through well under 100 ms of validation (see
// BenchmarkAdmission), and are far above what real queries use:
// the README's examples, the playground's introspection query and the
// dashboard's queries need at most 5 fields of one name in a set and a
// few hundred fields in all.
const (
	// maxSameName bounds the fields with one response name in one
	// selection set, counting those its inline fragments and fragment
	// spreads bring in.
	maxSameName = 16
	// maxSameNamePath bounds the product of those counts along one path
	// of nested fields: validation compares the sub-selections of every
	// pair again, so the work grows with the product, not the sum
	// (measured: 8 repeats at each of 3 levels, 512, took 94 ms; 4 × 4 × 4
	// took 2.8 ms).
	maxSameNamePath = 64
	// maxExpandedFields bounds the field selections of the document once
	// its fragments are expanded, and so the work of walking it (gqlgen's
	// complexity calculation walks the expansion: a few fragments that
	// each spread the next twice would make it walk 2^40 fields).
	maxExpandedFields = 5000
	// maxDirectives bounds the directives in the document: each unknown
	// one is an error of its own, and 3,000 of them made 892 KB of errors
	// from 16 KB of query.
	maxDirectives = 50
	// maxNameBytes bounds every name in the document. Error messages
	// quote names; a 900 KB field name came back whole.
	maxNameBytes = 128
)

// Bounds of the parsed-query cache, in estimated bytes.
const (
	queryCacheBytes = 64 << 20
	// queryCacheEntryBytes is the largest document kept for reuse; a
	// heavier one is validated every time it is sent.
	queryCacheEntryBytes = 4 << 20
	// docBytesPerQueryByte estimates the memory a validated document
	// holds per byte of its text: measured 33 (a 30 KB query of nested
	// fields retained 976 KB), rounded up.
	docBytesPerQueryByte = 40
	// apqCacheBytes bounds the persisted-query texts kept by hash.
	apqCacheBytes = 16 << 20
)

func newQueryCache() *weightedLRU[*ast.QueryDocument] {
	return newWeightedLRU(queryCacheBytes, queryCacheEntryBytes, func(q string, _ *ast.QueryDocument) int64 {
		return int64(len(q))*docBytesPerQueryByte + 1024
	})
}

func newAPQCache() *weightedLRU[string] {
	return newWeightedLRU(apqCacheBytes, apqCacheBytes/8, func(hash, q string) int64 {
		return int64(len(hash) + len(q) + 64)
	})
}

// admitQuery parses a query, checks the bounds above and validates it
// against the schema with the request's context: validation stops between
// two nodes of the document when the request's deadline passes or its
// client goes away. A query that passes is added to the cache, where
// gqlgen's executor finds it and does not parse or validate it again; a
// query that does not validate is left to the executor, which reports
// every error (the bounds make that second validation as cheap as the
// first). It runs as an operation parameter mutator: after automatic
// persisted queries have filled in the query text, before gqlgen parses it.
type admitQuery struct {
	schema *ast.Schema
	cache  *weightedLRU[*ast.QueryDocument]
	// maxAliases is Options.MaxAliases, counted over the whole document
	// with its fragments expanded: distinct response names also widen
	// what validation compares.
	maxAliases int
	// maxDepth is Options.MaxDepth, and introspection is false when
	// Options.NoIntrospection refuses __schema and __type.
	maxDepth      int
	introspection bool
	// timeout is Options.RequestTimeout, the deadline of a validation
	// whose context has none (an operation sent over a websocket, whose
	// own timeout starts only once it is validated).
	timeout time.Duration
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = admitQuery{}

func (admitQuery) ExtensionName() string                   { return "AdmitQuery" }
func (admitQuery) Validate(graphql.ExecutableSchema) error { return nil }

func (a admitQuery) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" || a.cache.Contains(params.Query) {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, parserTokenLimit)
	if err != nil {
		// The executor parses it again and reports the error the way
		// gqlgen does; parsing is linear and bounded by the token limit.
		return nil
	}
	if e := a.check(doc); e != nil {
		return e
	}
	if _, has := ctx.Deadline(); !has {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.timeout)
		defer cancel()
		ctx = context.WithValue(ctx, timeoutKey{}, a.timeout)
	}
	valid, e := validateWithin(ctx, a.schema, doc)
	switch {
	case e != nil:
		return e
	case timedOut(ctx):
		return timeoutError(ctx)
	case ctx.Err() != nil:
		// The client went away: answer it with anything rather than have
		// the executor validate the document again for nobody.
		return refusal(db.CodeInvalid, http.StatusBadRequest, "the request was cancelled")
	case !valid:
		return nil
	}
	a.cache.Add(ctx, params.Query, doc)
	return nil
}

// errValidationStopped is what the deadline rule panics with to stop
// validation.
var errValidationStopped = errors.New("validation stopped")

// validateWithin validates doc with gqlgen's default rules plus one that
// stops the walk once ctx is done. It reports whether doc is valid; a
// stopped validation is the request's timeout error, or nil with valid
// false when the client has gone (nobody reads the answer).
func validateWithin(ctx context.Context, schema *ast.Schema, doc *ast.QueryDocument) (valid bool, stopped *gqlerror.Error) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v != errValidationStopped {
			panic(v)
		}
		valid = false
		if timedOut(ctx) {
			stopped = timeoutError(ctx)
		}
	}()
	rs := rules.NewDefaultRules()
	rs.AddRule("StopAtDeadline", func(observers *core.Events, _ core.AddErrFunc) {
		n := 0
		check := func() {
			// ctx.Err takes a lock; every 64th node is often enough.
			if n++; n%64 == 0 && ctx.Err() != nil {
				panic(errValidationStopped)
			}
		}
		observers.OnField(func(*core.Walker, *ast.Field) { check() })
		observers.OnFragmentSpread(func(*core.Walker, *ast.FragmentSpread) { check() })
		observers.OnInlineFragment(func(*core.Walker, *ast.InlineFragment) { check() })
		observers.OnValue(func(*core.Walker, *ast.Value) { check() })
	})
	if ctx.Err() != nil {
		panic(errValidationStopped)
	}
	return len(validator.ValidateWithRules(schema, doc, rs)) == 0, nil
}

// check refuses a parsed document past the bounds above or the server's
// limits on depth, aliases and introspection, naming the bound. Every
// operation of the document counts, not only the one asked for: all of
// them are validated.
//
// Fields inside __schema and __type do not count towards the depth:
// GraphiQL's introspection query nests ofType deeper than any real query
// needs, and gqlparser bounds introspection depth itself.
func (a admitQuery) check(doc *ast.QueryDocument) *gqlerror.Error {
	c := docChecker{doc: doc, memo: map[string]fragmentFields{}, active: map[string]bool{}}
	expanded, aliases, depth, introspects := 0, 0, 0, false
	for _, op := range doc.Operations {
		c.name("operation name", op.Name)
		for _, v := range op.VariableDefinitions {
			c.name("variable name", v.Variable)
			c.name("type name", v.Type.Name())
			c.value(v.DefaultValue)
			c.directives(v.Directives)
		}
		c.directives(op.Directives)
		f := c.selectionSet(op.SelectionSet)
		expanded = satAdd(expanded, f.expanded)
		aliases = satAdd(aliases, f.aliases)
		depth = max(depth, f.depth)
		introspects = introspects || f.introspects
	}
	for _, f := range doc.Fragments {
		c.fragment(f.Name)
	}
	switch {
	case c.err != nil:
		return c.err
	case c.directiveCount > maxDirectives:
		return tooComplex(fmt.Sprintf("the document has %d directives, more than the limit of %d", c.directiveCount, maxDirectives))
	case expanded > maxExpandedFields:
		return tooComplex(fmt.Sprintf("the document selects more than %d fields once its fragments are expanded", maxExpandedFields))
	case introspects && !a.introspection:
		return refusal(codeForbidden, http.StatusForbidden, "introspection is disabled on this server")
	case depth > a.maxDepth:
		return tooComplex(fmt.Sprintf("the document nests %d fields deep, more than the limit of %d", depth, a.maxDepth))
	case aliases > a.maxAliases:
		return tooComplex(fmt.Sprintf("the document has %d aliases, more than the limit of %d", aliases, a.maxAliases))
	}
	return nil
}

// fragmentFields is what a selection set contributes to the set that
// holds it: the count of fields of each response name it brings in (its
// inline fragments' and spreads' included) and the number of fields in its
// expansion.
type fragmentFields struct {
	byName      map[string]nameCount
	expanded    int
	aliases     int  // aliased fields of the expansion
	depth       int  // how deep its fields nest
	introspects bool // selects __schema or __type
}

// nameCount is how many fields of one response name a set holds, and the
// largest path product (see maxSameNamePath) below any of them.
type nameCount struct {
	n, below int
}

// path is the largest product of same-name counts along a path down from
// the set.
func (f fragmentFields) path() int {
	p := 1
	for _, c := range f.byName {
		p = max(p, satMul(c.n, c.below))
	}
	return p
}

// docChecker walks a document once, each fragment measured once and
// remembered, so that the walk stays linear in the document's size
// however often fragments spread each other. It keeps the first bound
// found broken in err.
type docChecker struct {
	doc            *ast.QueryDocument
	memo           map[string]fragmentFields
	active         map[string]bool
	directiveCount int
	err            *gqlerror.Error
}

// name checks one name's length. The message gives the length, never the
// name.
func (c *docChecker) name(what, name string) {
	if len(name) > maxNameBytes && c.err == nil {
		article := "a"
		if strings.ContainsRune("aeiou", rune(what[0])) {
			article = "an"
		}
		c.err = badQuery(fmt.Sprintf("%s %s in the document is %d bytes long, more than the limit of %d", article, what, len(name), maxNameBytes))
	}
}

func (c *docChecker) directives(ds ast.DirectiveList) {
	c.directiveCount = satAdd(c.directiveCount, len(ds))
	for _, d := range ds {
		c.name("directive name", d.Name)
		c.arguments(d.Arguments)
	}
}

func (c *docChecker) arguments(as ast.ArgumentList) {
	for _, a := range as {
		c.name("argument name", a.Name)
		c.value(a.Value)
	}
}

// value checks the names a value holds: an enum's, a variable's, the
// fields of an input object, recursively.
func (c *docChecker) value(v *ast.Value) {
	if v == nil {
		return
	}
	switch v.Kind {
	case ast.Variable:
		c.name("variable name", v.Raw)
	case ast.EnumValue:
		c.name("enum value", v.Raw)
	}
	for _, child := range v.Children {
		if v.Kind == ast.ObjectValue {
			c.name("input field name", child.Name)
		}
		c.value(child.Value)
	}
}

// selectionSet checks one selection set and returns what it brings to the
// set that holds it.
func (c *docChecker) selectionSet(set ast.SelectionSet) fragmentFields {
	out := fragmentFields{byName: map[string]nameCount{}}
	var spread map[string]bool
	merge := func(in fragmentFields, fragment string) {
		out.expanded = satAdd(out.expanded, in.expanded)
		out.aliases = satAdd(out.aliases, in.aliases)
		out.depth = max(out.depth, in.depth)
		out.introspects = out.introspects || in.introspects
		// Validation compares a fragment spread twice in one set once,
		// so its fields count once towards the set's names.
		if fragment != "" {
			if spread[fragment] {
				return
			}
			if spread == nil {
				spread = map[string]bool{}
			}
			spread[fragment] = true
		}
		for name, in := range in.byName {
			c := out.byName[name]
			out.byName[name] = nameCount{n: satAdd(c.n, in.n), below: max(c.below, in.below)}
		}
	}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			c.name("field name", sel.Name)
			c.name("alias", sel.Alias)
			c.arguments(sel.Arguments)
			c.directives(sel.Directives)
			name := sel.Alias
			if name == "" {
				name = sel.Name
			}
			sub := c.selectionSet(sel.SelectionSet)
			nc := out.byName[name]
			out.byName[name] = nameCount{n: nc.n + 1, below: max(nc.below, sub.path())}
			out.expanded = satAdd(out.expanded, satAdd(1, sub.expanded))
			out.aliases = satAdd(out.aliases, sub.aliases)
			if sel.Alias != "" && sel.Alias != sel.Name {
				out.aliases = satAdd(out.aliases, 1)
			}
			if sel.Name == "__schema" || sel.Name == "__type" {
				out.introspects = true
				out.depth = max(out.depth, 1)
			} else {
				out.depth = max(out.depth, sub.depth+1)
				out.introspects = out.introspects || sub.introspects
			}
		case *ast.InlineFragment:
			c.name("type name", sel.TypeCondition)
			c.directives(sel.Directives)
			merge(c.selectionSet(sel.SelectionSet), "")
		case *ast.FragmentSpread:
			c.name("fragment name", sel.Name)
			c.directives(sel.Directives)
			merge(c.fragment(sel.Name), sel.Name)
		}
	}
	for name, nc := range out.byName {
		if nc.n > maxSameName && c.err == nil {
			c.err = tooComplex(fmt.Sprintf("a selection set has %d fields named %q, more than the limit of %d", nc.n, name, maxSameName))
		}
	}
	if p := out.path(); p > maxSameNamePath && c.err == nil {
		c.err = tooComplex(fmt.Sprintf("fields that share a name repeat %d times over along one path "+
			"(their counts multiplied level by level), more than the limit of %d", p, maxSameNamePath))
	}
	return out
}

func (c *docChecker) fragment(name string) fragmentFields {
	if f, ok := c.memo[name]; ok {
		return f
	}
	def := c.doc.Fragments.ForName(name)
	if def == nil || c.active[name] {
		// Unknown or cyclic: validation reports it.
		return fragmentFields{}
	}
	c.active[name] = true
	c.name("type name", def.TypeCondition)
	c.directives(def.Directives)
	f := c.selectionSet(def.SelectionSet)
	delete(c.active, name)
	c.memo[name] = f
	return f
}

// badQuery is a BAD_USER_INPUT refusal of a request's document.
func badQuery(message string) *gqlerror.Error {
	e := &gqlerror.Error{Message: message}
	setCode(e, db.CodeInvalid)
	return e
}
