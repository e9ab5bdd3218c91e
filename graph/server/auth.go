package server

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/geotimeline/geotimeline/db"
)

// Codes of access errors, as API.md names them.
const (
	codeUnauthenticated db.Code = "UNAUTHENTICATED"
	codeForbidden       db.Code = "FORBIDDEN"
)

// Messages of access errors; tests and the README quote them.
const (
	msgReadOnly     = "this server is read-only: no tokens are configured"
	msgNeedToken    = "this operation needs a token: send Authorization: Bearer <token>"
	msgPrivate      = "this server is private: send Authorization: Bearer <token>"
	msgBadHeader    = `the Authorization header must be "Bearer <token>"`
	msgInvalidToken = "the token is not valid"
)

// wwwAuthenticate is the challenge sent with every 401 (RFC 6750).
const wwwAuthenticate = `Bearer realm="geotimeline"`

// DefaultClient is the client name of the token given by --token.
const DefaultClient = "default"

// Token is a token the server accepts: the name of the client holding it,
// logged with each of its requests, and its SHA-256. The token itself is
// never kept.
type Token struct {
	Client string
	Hash   [sha256.Size]byte
}

// NewToken returns token as held by client, keeping only its hash.
func NewToken(client, token string) Token {
	return Token{Client: client, Hash: sha256.Sum256([]byte(token))}
}

// maxTokenLine is the longest line ParseTokens reads.
const maxTokenLine = 1024

// ParseTokens reads a tokens file: one client a line, "NAME sha256:HEX"
// where HEX is the SHA-256 of the client's token in hexadecimal (as
// `printf %s "$TOKEN" | sha256sum` prints it). Blank lines and lines starting
// with # are ignored. A malformed line is an error naming its number; so is
// a hash given twice, since it could not tell its clients apart.
func ParseTokens(r io.Reader) ([]Token, error) {
	var tokens []Token
	seen := map[[sha256.Size]byte]int{}
	sc := bufio.NewScanner(r)
	// A valid line is under 140 bytes; a longer one is a mistake (a
	// pasted file, a missing newline) to report by its number.
	sc.Buffer(make([]byte, 0, 256), maxTokenLine)
	n := 1
	for ; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: want \"NAME sha256:HEX\", got %d fields", n, len(fields))
		}
		name, digest := fields[0], fields[1]
		if !validName(name) {
			return nil, fmt.Errorf("line %d: client name %q: want 1 to 64 letters, digits, '.', '_' or '-'", n, name)
		}
		hexHash, ok := strings.CutPrefix(digest, "sha256:")
		if !ok {
			return nil, fmt.Errorf("line %d: want sha256:HEX after the client name, got %q", n, digest)
		}
		t := Token{Client: name}
		if b, err := hex.DecodeString(hexHash); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("line %d: sha256:%s is not 64 hexadecimal digits", n, hexHash)
		} else {
			copy(t.Hash[:], b)
		}
		if first, dup := seen[t.Hash]; dup {
			return nil, fmt.Errorf("line %d: the same hash as line %d", n, first)
		}
		seen[t.Hash] = n
		tokens = append(tokens, t)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("line %d: longer than %d bytes; want \"NAME sha256:HEX\"", n, maxTokenLine)
	} else if err != nil {
		return nil, fmt.Errorf("line %d: %w", n, err)
	}
	return tokens, nil
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// access decides who may do what: reads (queries and subscriptions) are
// open unless private, and writes (mutations) need a token.
type access struct {
	tokens  []Token
	private bool
}

// readOnly reports whether no client can write.
func (a *access) readOnly() bool { return len(a.tokens) == 0 }

// credential is what a request's Authorization header proved.
type credential struct {
	presented bool   // an Authorization header was sent
	client    string // the client's name when the token is valid
	problem   string // why the header proves nothing, when presented
}

func (c credential) valid() bool { return c.client != "" }

// authenticate checks an Authorization header. Every configured hash is
// compared, in constant time, whatever matched before: how long the check
// takes says nothing about which token, or which part of one, is right.
func (a *access) authenticate(header string) credential {
	if header == "" {
		return credential{}
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return credential{presented: true, problem: msgBadHeader}
	}
	sum := sha256.Sum256([]byte(token))
	match := -1
	for i := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], a.tokens[i].Hash[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return credential{presented: true, problem: msgInvalidToken}
	}
	return credential{presented: true, client: a.tokens[match].Client}
}

// authorize is the decision table: whether an operation of type op may run
// with cred. It returns nil to allow, or an UNAUTHENTICATED (HTTP 401) or
// FORBIDDEN (HTTP 403) error.
//
// The first row that matches decides ("write" is a mutation; queries and
// subscriptions are reads):
//
//	operation  tokens configured  private  credentials     outcome
//	write      none               -        any             403 read-only
//	any        yes                any      valid           allowed, as the client
//	any        any                any      bad or unknown  401
//	any        yes                yes      none            401 private
//	write      yes                no       none            401 needs a token
//	query      any                no       none            allowed, anonymous
func (a *access) authorize(op ast.Operation, cred credential) *gqlerror.Error {
	write := op == ast.Mutation
	switch {
	case write && a.readOnly():
		return accessError(codeForbidden, msgReadOnly)
	case cred.valid():
		return nil
	case cred.presented:
		return accessError(codeUnauthenticated, cred.problem)
	case a.private:
		return accessError(codeUnauthenticated, msgPrivate)
	case write:
		return accessError(codeUnauthenticated, msgNeedToken)
	}
	return nil
}

// decide is authenticate and authorize in one: the whole decision for an
// operation of type op sent with the Authorization header.
func (a *access) decide(op ast.Operation, header string) (client string, err *gqlerror.Error) {
	cred := a.authenticate(header)
	if err := a.authorize(op, cred); err != nil {
		return "", err
	}
	return cred.client, nil
}

// accessError is an access error with its HTTP status and, for a 401, the
// challenge header.
func accessError(code db.Code, message string) *gqlerror.Error {
	status := &httpStatus{status: http.StatusForbidden}
	if code == codeUnauthenticated {
		status = &httpStatus{status: http.StatusUnauthorized, header: http.Header{}}
		status.header.Set("WWW-Authenticate", wwwAuthenticate)
	}
	e := &gqlerror.Error{Message: message, Err: status}
	setCode(e, code)
	return e
}

// httpStatus rides in a gqlerror.Error's Err to tell the transport which
// HTTP status (and headers) a refused request gets, where the code alone
// does not say.
type httpStatus struct {
	status int
	header http.Header
}

func (h *httpStatus) Error() string { return http.StatusText(h.status) }

type credentialKey struct{}

// Client returns the name of the client whose token authenticated the
// request ctx belongs to, or "" for an anonymous request.
func Client(ctx context.Context) string {
	c, _ := ctx.Value(credentialKey{}).(credential)
	return c.client
}

// authenticateRequests checks the Authorization header of every request to
// the API once, before anything is parsed: the result goes into the context
// for the operation's check (authorizeOperation) and for Client, and the
// client's name into the request log. A private server refuses a request
// without valid credentials here, so that an anonymous client learns
// nothing about the schema, not even from validation errors.
func authenticateRequests(a *access, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred := a.authenticate(r.Header.Get("Authorization"))
		if cred.valid() {
			if info := infoFrom(r.Context()); info != nil {
				info.client = cred.client
			}
		}
		// A browser cannot set headers on a websocket: its credentials come
		// in the connection_init message, checked by websocketInit.
		if a.private && !cred.valid() && !isUpgrade(r) {
			err := a.authorize(ast.Query, cred)
			writeErrors(w, r, gqlerror.List{err})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), credentialKey{}, cred)))
	})
}

// authorizeOperation refuses an operation its request may not run, once the
// operation's type is known (after parsing and validation, before
// execution), so that the transport can still choose the HTTP status.
type authorizeOperation struct{ access *access }

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = authorizeOperation{}

func (authorizeOperation) ExtensionName() string                   { return "Authorize" }
func (authorizeOperation) Validate(graphql.ExecutableSchema) error { return nil }

func (a authorizeOperation) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	cred, ok := ctx.Value(credentialKey{}).(credential)
	if !ok {
		return gqlerror.Wrap(errors.New("request was not authenticated"))
	}
	return a.access.authorize(opCtx.Operation.Operation, cred)
}

func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// websocketInit authenticates a graphql-ws connection: the Authorization of
// its connection_init payload ({"Authorization": "Bearer …"}) when there is
// one, else the upgrade request's header. Bad credentials, or none on a
// private server, close the connection (graphql-ws close code 4403); each
// operation is then authorized as over HTTP.
func (a *access) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	cred, _ := ctx.Value(credentialKey{}).(credential)
	if h := payload.Authorization(); h != "" {
		cred = a.authenticate(h)
	}
	if err := a.authorize(ast.Query, cred); err != nil {
		// 4403 is graphql-ws's Forbidden; the reason tells which fix.
		ctx = transport.WithWebsocketCloseCode(ctx, 4403)
		return transport.AppendCloseReason(ctx, err.Message), nil, errors.New(err.Message)
	}
	if info := infoFrom(ctx); info != nil && cred.valid() {
		info.client = cred.client
	}
	ctx = context.WithValue(ctx, credentialKey{}, cred)
	return context.WithValue(ctx, methodKey{}, methodWebsocket), nil, nil
}

// metricsAccess guards /metrics like a query: open unless the server is
// private, in which case the scraper sends a token (Prometheus'
// authorization.credentials) like any client.
func (a *access) metricsAccess(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.authorize(ast.Query, a.authenticate(r.Header.Get("Authorization"))); err != nil {
			// The status and challenge are the ones accessError chose.
			status := err.Err.(*httpStatus)
			for k, v := range status.header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(status.status)
			io.WriteString(w, err.Message+"\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}
