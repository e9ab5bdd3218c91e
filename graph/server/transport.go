package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
)

// The response media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// httpTransport speaks GraphQL over HTTP (graphql.github.io/graphql-over-http)
// for GET and POST. It replaces gqlgen's transport.GET and transport.POST
// because those answer validation errors with 422, a mutation over GET with
// 406, write "data": null into request errors, and give no way to set the
// status of an error found after parsing (401, 403, 405).
//
// How it answers:
//   - The response is application/graphql-response+json when the client's
//     Accept header prefers it, application/json otherwise (also when the
//     header is absent or says */*).
//   - A request that is not a well-formed GraphQL-over-HTTP request (a body
//     that is not one JSON object, a parameter of the wrong type, no query,
//     a batch) gets 400, or 413 or 415, with a BAD_USER_INPUT error.
//   - A request refused before execution (a parse or validation error, a
//     limit) gets 400 with application/graphql-response+json and 200 with
//     application/json, as the spec asks; access errors get 401 or 403 and
//     a mutation over GET 405, whatever the media type. These responses have
//     no "data" entry.
//   - An executed operation gets 200.
type httpTransport struct {
	maxBody     int64
	maxResponse int
	logger      *slog.Logger
}

var _ graphql.Transport = httpTransport{}

func (httpTransport) Supports(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
		return r.Header.Get("Upgrade") == ""
	}
	return false
}

type methodKey struct{}

// methodWebsocket is the methodKey value of operations sent over a
// websocket, which may be of any type.
const methodWebsocket = "WEBSOCKET"

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	var params *graphql.RawParams
	var refused *gqlerror.Error
	if r.Method == http.MethodPost {
		params, refused = t.postParams(w, r)
	} else {
		params, refused = getParams(r)
	}
	if refused != nil {
		writeErrors(w, r, gqlerror.List{refused})
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := context.WithValue(r.Context(), methodKey{}, r.Method)
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		status, header := statusOf(errs, negotiate(r.Header.Get("Accept")))
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		write(w, r, status, header, requestErrors(resp))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if timedOut(ctx) {
		t.logger.WarnContext(ctx, "request cancelled at its timeout", "request_id", RequestID(ctx))
		// A query cut short answers with the timeout alone rather than
		// with a partial answer. One that completed anyway is sent, and so
		// is a mutation's answer, which tells what was written.
		if resp == nil || (len(resp.Errors) > 0 && opCtx.Operation.Operation == ast.Query) {
			writeErrors(w, r, gqlerror.List{timeoutError(ctx)})
			return
		}
	}
	if resp == nil {
		// The client went away before the operation ran; nobody reads
		// an answer.
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		t.logger.ErrorContext(ctx, "internal error", "err", err, "request_id", RequestID(ctx))
		writeErrors(w, r, gqlerror.List{internalError()})
		return
	}
	if len(b) > t.maxResponse {
		t.logger.WarnContext(ctx, "response over its bound refused", "bytes", len(b), "request_id", RequestID(ctx))
		write(w, r, http.StatusOK, nil, errorsOnly{Errors: gqlerror.List{responseTooLarge(t.maxResponse)}})
		return
	}
	w.Header().Set("Content-Type", negotiate(r.Header.Get("Accept")))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// postParams reads a POST body: one JSON object of at most maxBody bytes,
// sent as application/json (in UTF-8, the only charset JSON has).
func (t httpTransport) postParams(w http.ResponseWriter, r *http.Request) (*graphql.RawParams, *gqlerror.Error) {
	mt, mparams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != mediaJSON {
		return nil, refusal(db.CodeInvalid, http.StatusUnsupportedMediaType,
			"a POST to /graphql must have Content-Type: application/json")
	}
	if cs, ok := mparams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, refusal(db.CodeInvalid, http.StatusUnsupportedMediaType,
			fmt.Sprintf("charset %q is not supported: send UTF-8", cs))
	}
	tooLarge := refusal(db.CodeInvalid, http.StatusRequestEntityTooLarge,
		fmt.Sprintf("request body is larger than %d bytes", t.maxBody))
	if r.ContentLength > t.maxBody {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, t.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge
		}
		return nil, badRequest("could not read request body")
	}
	return parseBody(body)
}

// parseBody decodes a POST body into the request's parameters, checking
// each one's JSON type.
func parseBody(body []byte) (*graphql.RawParams, *gqlerror.Error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, badRequest("the request body is empty: send a JSON object with a query")
	case trimmed[0] == '[':
		return nil, badRequest("batched requests are not supported: send one operation per request")
	case trimmed[0] != '{':
		return nil, badRequest("the request body must be a JSON object with a query")
	}
	var raw struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return nil, badRequest("the request body is not valid JSON: " + jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("the request body must hold one JSON object and nothing after it")
	}
	params := &graphql.RawParams{}
	if err := firstError(
		jsonString(raw.Query, "query", &params.Query),
		jsonString(raw.OperationName, "operationName", &params.OperationName),
		jsonObject(raw.Variables, "variables", &params.Variables),
		jsonObject(raw.Extensions, "extensions", &params.Extensions),
	); err != nil {
		return nil, err
	}
	return params, checkQuery(params)
}

// getParams reads a GET request's parameters from its URL.
func getParams(r *http.Request) (*graphql.RawParams, *gqlerror.Error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the URL's query string does not decode: " + err.Error())
	}
	params := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if v := q.Get(p.name); v != "" {
			if err := jsonObject(json.RawMessage(v), p.name, p.dst); err != nil {
				return nil, err
			}
		}
	}
	return params, checkQuery(params)
}

// checkQuery refuses a request without a query, unless it names a persisted
// one.
func checkQuery(params *graphql.RawParams) *gqlerror.Error {
	if strings.TrimSpace(params.Query) == "" && params.Extensions["persistedQuery"] == nil {
		return badRequest("the request has no query")
	}
	return nil
}

func jsonString(raw json.RawMessage, name string, dst *string) *gqlerror.Error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return badRequest(name + " must be a string")
	}
	return nil
}

// jsonObject decodes a JSON object, keeping numbers as json.Number so that
// integers stay exact for the Int scalar.
func jsonObject(raw json.RawMessage, name string, dst *map[string]any) *gqlerror.Error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return badRequest(name + " must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return badRequest(name + " is not valid JSON: " + jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a JSON error without Go type names.
func jsonProblem(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	return "not the expected shape"
}

func firstError(errs ...*gqlerror.Error) *gqlerror.Error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// badRequest is a 400 BAD_USER_INPUT refusal of a malformed request.
func badRequest(message string) *gqlerror.Error {
	return refusal(db.CodeInvalid, http.StatusBadRequest, message)
}

func internalError() *gqlerror.Error {
	e := &gqlerror.Error{Message: "internal error"}
	setCode(e, db.CodeInternal)
	return e
}

// negotiate picks the response media type from an Accept header: the
// acceptable type with the highest q, the first on a tie; application/json
// when the header is absent, says */* or application/*, or names neither.
func negotiate(accept string) string {
	best, bestQ := mediaJSON, 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		var candidate string
		switch mt {
		case mediaGraphQLResponse:
			candidate = mediaGraphQLResponse
		case mediaJSON, "application/*", "*/*":
			candidate = mediaJSON
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = candidate, q
		}
	}
	return best
}

// statusOf is the HTTP status (and extra headers) of a request refused
// before execution: the one an error carries (401, 403, 405, 413, …), else
// 400 for application/graphql-response+json and 200 for application/json.
func statusOf(errs gqlerror.List, media string) (int, http.Header) {
	for _, e := range errs {
		if hs, ok := errors.AsType[*httpStatus](e); ok {
			return hs.status, hs.header
		}
	}
	for _, e := range errs {
		// Automatic persisted queries: Apollo clients expect 200 and
		// then send the full query.
		if e.Extensions["code"] == "PERSISTED_QUERY_NOT_FOUND" {
			return http.StatusOK, nil
		}
	}
	if media == mediaGraphQLResponse {
		return http.StatusBadRequest, nil
	}
	return http.StatusOK, nil
}

// errorsOnly is the body of a response to a refused request: errors and no
// "data" entry, since nothing was executed.
type errorsOnly struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func requestErrors(resp *graphql.Response) errorsOnly {
	return errorsOnly{Errors: resp.Errors, Extensions: resp.Extensions}
}

// maxErrors is the most errors one response lists. Validation reports one
// error per offending node, so a small document could otherwise be answered
// with a large list.
const maxErrors = 20

// capErrorList caps the errors of every response the executor makes, over
// HTTP and websockets alike (see capErrors).
type capErrorList struct{}

var _ interface {
	graphql.ResponseInterceptor
	graphql.HandlerExtension
} = capErrorList{}

func (capErrorList) ExtensionName() string                   { return "CapErrorList" }
func (capErrorList) Validate(graphql.ExecutableSchema) error { return nil }

func (capErrorList) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil {
		resp.Errors = capErrors(resp.Errors)
	}
	return resp
}

// capErrors keeps the first maxErrors errors and says how many it left out.
func capErrors(errs gqlerror.List) gqlerror.List {
	if len(errs) <= maxErrors {
		return errs
	}
	more := &gqlerror.Error{Message: fmt.Sprintf("%d more errors not shown", len(errs)-maxErrors)}
	if code, ok := errs[maxErrors].Extensions["code"]; ok {
		more.Extensions = map[string]any{"code": code}
	}
	return append(errs[:maxErrors:maxErrors], more)
}

// responseTooLarge replaces an answer longer than max bytes. The answer has
// been built by then: the bound keeps it from being sent, and the cost
// limit keeps it from being built very large.
func responseTooLarge(max int) *gqlerror.Error {
	return tooComplex(fmt.Sprintf("the response is larger than %d bytes, the limit: ask for smaller pages or fewer fields", max))
}

// boundWebsocketResponses applies Options.MaxResponseBytes to what is sent
// over a websocket, which gqlgen's transport writes itself; httpTransport
// checks its own answers.
type boundWebsocketResponses struct{ max int }

var _ interface {
	graphql.ResponseInterceptor
	graphql.HandlerExtension
} = boundWebsocketResponses{}

func (boundWebsocketResponses) ExtensionName() string                   { return "BoundWebsocketResponses" }
func (boundWebsocketResponses) Validate(graphql.ExecutableSchema) error { return nil }

func (l boundWebsocketResponses) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if method, _ := ctx.Value(methodKey{}).(string); resp == nil || method != methodWebsocket {
		return resp
	}
	if b, err := json.Marshal(resp); err == nil && len(b) > l.max {
		loggerFrom(ctx).WarnContext(ctx, "response over its bound refused", "bytes", len(b))
		return &graphql.Response{Errors: gqlerror.List{responseTooLarge(l.max)}}
	}
	return resp
}

// writeErrors answers a request refused before execution with errs, in the
// media type the client accepts and with the status statusOf gives.
func writeErrors(w http.ResponseWriter, r *http.Request, errs gqlerror.List) {
	status, header := statusOf(errs, negotiate(r.Header.Get("Accept")))
	write(w, r, status, header, errorsOnly{Errors: capErrors(errs)})
}

func write(w http.ResponseWriter, r *http.Request, status int, header http.Header, body any) {
	for k, vs := range header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", negotiate(r.Header.Get("Accept")))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// queriesOverGET refuses a mutation sent with GET, with 405 and Allow:
// POST (GET must be safe, and a link or an <img> must not be able to
// write), and a subscription sent over HTTP at all, with 400. Over a
// websocket every operation type is allowed.
type queriesOverGET struct{}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = queriesOverGET{}

func (queriesOverGET) ExtensionName() string                   { return "QueriesOverGET" }
func (queriesOverGET) Validate(graphql.ExecutableSchema) error { return nil }

func (queriesOverGET) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	method, _ := ctx.Value(methodKey{}).(string)
	op := opCtx.Operation.Operation
	switch {
	case method == methodWebsocket:
		return nil
	case op == ast.Subscription:
		// Over HTTP a subscription would hold the request open for its
		// first item and end there.
		e := &gqlerror.Error{
			Message: "a subscription needs a websocket: connect to /graphql with graphql-ws (subprotocol graphql-transport-ws)",
			Err:     &httpStatus{status: http.StatusBadRequest},
		}
		setCode(e, db.CodeInvalid)
		return e
	case method == http.MethodPost || op == ast.Query:
		return nil
	}
	e := &gqlerror.Error{
		Message: fmt.Sprintf("a %s cannot be sent with GET: use POST", opCtx.Operation.Operation),
		Err: &httpStatus{status: http.StatusMethodNotAllowed,
			header: http.Header{"Allow": {http.MethodPost}}}, // canonical key
	}
	setCode(e, db.CodeInvalid)
	return e
}
