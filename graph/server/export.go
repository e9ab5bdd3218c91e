package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/export"
)

// exportHandler serves GET /export/{format}?actors=…&from=…: the formats of
// package export with the filter as query parameters named as the CLI's
// flags, so that a dashboard can offer a download of what it shows.
//
// It is a read like a query and gets a query's treatment: the same access
// decision (authenticateRequests and authorize, so a private server wants a
// token), the request timeout (withTimeout, which interrupts the SQL
// running at the deadline), the response size bound and the client's
// going away (the request context, which stops the walk). The body is
// streamed as the timeline is read; a mistake in the request is found
// before the first byte and answered as a JSON error, 400 for
// BAD_USER_INPUT. A failure after the first byte (the timeout, the size
// bound, a read error) can no longer change the status: the response is
// aborted, so that the client sees a broken download rather than a
// truncated one that looks whole.
//
// The fixture format is not served: it is the whole database, built in
// memory, and takes no filter.
func exportHandler(store Store, acc *access, maxBytes int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred, _ := r.Context().Value(credentialKey{}).(credential)
		if err := acc.authorize(ast.Query, cred); err != nil {
			writeErrors(w, r, gqlerror.List{err})
			return
		}
		format, err := export.ParseFormat(r.PathValue("format"))
		if err != nil {
			exportError(w, r, err)
			return
		}
		q := r.URL.Query()
		for name := range q {
			if !slices.Contains(export.FilterParams, name) {
				exportError(w, r, db.Errorf(db.CodeInvalid, "unknown query parameter %q: the filter takes %v", name, export.FilterParams))
				return
			}
		}
		f, err := export.ParseFilter(q.Get)
		if err != nil {
			exportError(w, r, err)
			return
		}
		order, err := export.ParseOrder(q.Get)
		if err != nil {
			exportError(w, r, err)
			return
		}
		out := &exportWriter{w: w, format: format, max: maxBytes}
		err = export.Write(r.Context(), store, format, f, order, out)
		if err == nil {
			return
		}
		if !out.started {
			exportError(w, r, err)
			return
		}
		loggerFrom(r.Context()).WarnContext(r.Context(), "export aborted half-way", "format", format, "bytes", out.n, "err", err)
		panic(http.ErrAbortHandler)
	})
}

// exportWriter sends the export's headers with its first byte, so that an
// error found before can still be answered with its own status, and stops
// the export once it would pass the response size bound.
type exportWriter struct {
	w       http.ResponseWriter
	format  export.Format
	max, n  int
	started bool
}

var errExportTooLarge = errors.New("export larger than the response size bound")

func (e *exportWriter) Write(p []byte) (int, error) {
	if e.n+len(p) > e.max {
		return 0, fmt.Errorf("%w of %d bytes", errExportTooLarge, e.max)
	}
	if !e.started {
		e.started = true
		h := e.w.Header()
		h.Set("Content-Type", e.format.ContentType())
		h.Set("Content-Disposition", `attachment; filename="`+e.format.FileName()+`"`)
		h.Set("Cache-Control", "no-store")
		e.w.WriteHeader(http.StatusOK)
	}
	n, err := e.w.Write(p)
	e.n += n
	return n, err
}

// exportError answers an export refused before its first byte, as the API
// reports errors: {"errors":[{"message","extensions":{"code"}}]}.
func exportError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	code := db.ErrorCode(err)
	message := db.ErrorMessage(err)
	status := http.StatusInternalServerError
	switch {
	case timedOut(ctx):
		te := timeoutError(ctx)
		code, message, status = db.CodeTooComplex, te.Message, http.StatusBadRequest
	case errors.Is(err, errExportTooLarge):
		code, message, status = db.CodeTooComplex, "the export is larger than the response size bound: filter it further", http.StatusBadRequest
	case errors.Is(err, context.Canceled):
		return // the client went away: nobody to answer
	case code == db.CodeInvalid || code == db.CodeTooComplex:
		status = http.StatusBadRequest
	case code == db.CodeUnavailable || db.IsStorageFault(code):
		status = http.StatusServiceUnavailable
	}
	if status >= 500 {
		loggerFrom(ctx).ErrorContext(ctx, "export failed", "err", err)
	}
	e := &gqlerror.Error{Message: message}
	setCode(e, code)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorsOnly{Errors: gqlerror.List{e}})
}
