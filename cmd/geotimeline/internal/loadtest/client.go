package loadtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrNotLoopback is returned by CheckURL for a URL whose host is not a
// loopback address or "localhost".
var ErrNotLoopback = errors.New("not a loopback address")

// CheckURL checks that raw is an absolute http or https URL and, unless
// allowRemote, that its host is localhost or a loopback address (127.0.0.0/8
// or ::1): load is only ever sent to this machine by default.
func CheckURL(raw string, allowRemote bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: want an http:// or https:// URL", raw)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%q: no host", raw)
	}
	if allowRemote || isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("%q: %w (want 127.0.0.1, ::1 or localhost)", raw, ErrNotLoopback)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackOnly is a net.Dialer Control function that refuses to connect
// anywhere but a loopback address, whatever a name resolved to.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("connect to %s: %w", address, ErrNotLoopback)
	}
	return nil
}

// Client sends GraphQL requests to one URL.
type Client struct {
	url, token string
	http       *http.Client
	transport  *http.Transport
}

// NewClient returns a client for url that keeps up to conns connections
// alive (HTTP/1.1, no proxy, no compression), bounds each request by
// timeout, sends token as a bearer token when it is not empty, and connects
// only to loopback addresses unless allowRemote.
func NewClient(url, token string, conns int, timeout time.Duration, allowRemote bool) *Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowRemote {
		dialer.Control = loopbackOnly
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		// A non-nil empty map keeps https on HTTP/1.1 as well.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	return &Client{url: url, token: token, transport: tr, http: &http.Client{Transport: tr, Timeout: timeout}}
}

// Close closes the client's idle connections.
func (c *Client) Close() { c.transport.CloseIdleConnections() }

// post sends body and reads the answer into buf. It returns an error for a
// failed request, a status other than 200 or an answer with errors.
func (c *Client) post(ctx context.Context, body []byte, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = buf.ReadFrom(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", res.StatusCode, firstError(buf.Bytes()))
	}
	// Most answers hold no "errors" at all: decode only those that might.
	if bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
		if msg := firstError(buf.Bytes()); msg != "" {
			return errors.New(msg)
		}
	}
	return nil
}

// firstError returns the first GraphQL error message of an answer, or the
// start of the answer when it is not a GraphQL answer; "" when it holds no
// errors.
func firstError(body []byte) string {
	var r struct {
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		if len(body) > 200 {
			body = body[:200]
		}
		return strings.TrimSpace(string(body))
	}
	if len(r.Errors) == 0 {
		return ""
	}
	e := r.Errors[0]
	if e.Extensions.Code != "" {
		return e.Extensions.Code + ": " + e.Message
	}
	return e.Message
}

// query sends doc with vars and decodes the answer's data into out.
func (c *Client) query(ctx context.Context, doc string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := c.post(ctx, body, &buf); err != nil {
		return err
	}
	var r struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return json.Unmarshal(r.Data, out)
}
