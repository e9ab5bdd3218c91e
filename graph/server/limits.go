package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

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

// satAdd and satMul saturate instead of overflowing: counts over a
// document's fragment expansion can pass any int.
func satAdd(a, b int) int {
	if c := a + b; c >= a {
		return c
	}
	return int(^uint(0) >> 1)
}

func satMul(a, b int) int {
	if a != 0 && b > int(^uint(0)>>1)/a {
		return int(^uint(0) >> 1)
	}
	return a * b
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
