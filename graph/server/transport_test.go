package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// send makes a request with the given headers ("Name: value").
func send(tb testing.TB, method, u, body string, headers ...string) response {
	tb.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	return do(tb, req)
}

const (
	acceptJSON    = "Accept: application/json"
	acceptGraphQL = "Accept: application/graphql-response+json"
)

// query is the JSON body of a POST with query and variables.
func query(q string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	return string(b)
}

// check compares a response's status, Content-Type and first error code
// ("" for none).
func check(t *testing.T, res response, status int, contentType, code string) {
	t.Helper()
	if res.status != status {
		t.Errorf("status = %d, want %d\n%s", res.status, status, res.body)
	}
	if got := res.header.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type = %q, want %q", got, contentType)
	}
	errs := errorsOf(t, res.body)
	switch {
	case code == "" && len(errs) > 0:
		t.Errorf("unexpected errors: %s", res.body)
	case code != "" && len(errs) == 0:
		t.Errorf("no errors, want %s: %s", code, res.body)
	case code != "" && errs[0].Extensions["code"] != code:
		t.Errorf("extensions.code = %v, want %s\n%s", errs[0].Extensions["code"], code, res.body)
	}
}

// hasData reports whether the response body has a "data" entry at all.
func hasData(tb testing.TB, body string) bool {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		tb.Fatalf("not JSON: %v\n%s", err, body)
	}
	_, ok := m["data"]
	return ok
}

// TestMediaTypes checks content negotiation: application/graphql-response+json
// when the client prefers it, application/json otherwise.
func TestMediaTypes(t *testing.T) {
	base, _ := mustServe(t, Options{})
	body := query(`{ __typename }`, nil)
	tests := []struct {
		accept, want string
	}{
		{"", "application/json"},
		{"application/json", "application/json"},
		{"application/graphql-response+json", "application/graphql-response+json"},
		{"*/*", "application/json"},
		{"application/*", "application/json"},
		{"text/html, application/graphql-response+json; charset=utf-8", "application/graphql-response+json"},
		{"application/json;q=0.5, application/graphql-response+json", "application/graphql-response+json"},
		{"application/graphql-response+json;q=0.1, application/json", "application/json"},
		{"text/html", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			res := send(t, http.MethodPost, base+"/graphql", body, "Accept: "+tt.accept)
			check(t, res, http.StatusOK, tt.want, "")
			if res.body != `{"data":{"__typename":"Query"}}` {
				t.Errorf("body = %s", res.body)
			}
		})
	}
}

// TestRequestErrors checks the status of each kind of refused request under
// both media types, and that none of them carries a "data" entry.
func TestRequestErrors(t *testing.T) {
	base, logs := mustServe(t, Options{})
	tests := []struct {
		name       string
		body       string
		json, gqlr int // status with application/json, with application/graphql-response+json
		code, msg  string
	}{
		{"ParseError", `{"query":"{"}`, 200, 400, "GRAPHQL_PARSE_FAILED", "Expected Name"},
		{"ValidationError", `{"query":"{ nope }"}`, 200, 400, "GRAPHQL_VALIDATION_FAILED", `Cannot query field "nope"`},
		{"VariableCoercion", `{"query":"query($id: ID!) { __typename }","variables":{"id":null}}`, 200, 400, "GRAPHQL_VALIDATION_FAILED", "id"},
		{"UnknownOperationName", `{"query":"query A { __typename }","operationName":"B"}`, 200, 400, "GRAPHQL_VALIDATION_FAILED", "operation B not found"},
		{"NotJSON", `{ "not a JSON`, 400, 400, "BAD_USER_INPUT", "the request body is not valid JSON"},
		{"Empty", ``, 400, 400, "BAD_USER_INPUT", "the request body is empty"},
		{"NotAnObject", `"{ __typename }"`, 400, 400, "BAD_USER_INPUT", "must be a JSON object"},
		{"Trailing", `{"query":"{ __typename }"} {}`, 400, 400, "BAD_USER_INPUT", "nothing after it"},
		{"Batch", `[{"query":"{ __typename }"}]`, 400, 400, "BAD_USER_INPUT", "batched requests are not supported: send one operation per request"},
		{"NoQuery", `{"qeury":"{ __typename }"}`, 400, 400, "BAD_USER_INPUT", "the request has no query"},
		{"QueryNotAString", `{"query":{"obj":"ect"}}`, 400, 400, "BAD_USER_INPUT", "query must be a string"},
		{"QueryArray", `{"query":["{ __typename }"]}`, 400, 400, "BAD_USER_INPUT", "query must be a string"},
		{"OperationNameNotAString", `{"query":"{ __typename }","operationName":0}`, 400, 400, "BAD_USER_INPUT", "operationName must be a string"},
		{"VariablesNotAnObject", `{"query":"{ __typename }","variables":"string"}`, 400, 400, "BAD_USER_INPUT", "variables must be a JSON object"},
		{"VariablesArray", `{"query":"{ __typename }","variables":["array"]}`, 400, 400, "BAD_USER_INPUT", "variables must be a JSON object"},
		{"ExtensionsNotAnObject", `{"query":"{ __typename }","extensions":false}`, 400, 400, "BAD_USER_INPUT", "extensions must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, accept := range []string{acceptJSON, acceptGraphQL} {
				res := send(t, http.MethodPost, base+"/graphql", tt.body, accept)
				status, media := tt.json, "application/json"
				if accept == acceptGraphQL {
					status, media = tt.gqlr, "application/graphql-response+json"
				}
				check(t, res, status, media, tt.code)
				if errs := errorsOf(t, res.body); len(errs) > 0 && !strings.Contains(errs[0].Message, tt.msg) {
					t.Errorf("message = %q, want it to contain %q", errs[0].Message, tt.msg)
				}
				if hasData(t, res.body) {
					t.Errorf("%s: a refused request has a data entry: %s", accept, res.body)
				}
			}
		})
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("bad requests were logged as errors:\n%s", logs.String())
	}
}

// TestNullParameters checks that null variables, operationName and
// extensions are as good as absent.
func TestNullParameters(t *testing.T) {
	base, _ := mustServe(t, Options{})
	for _, p := range []string{"variables", "operationName", "extensions"} {
		res := send(t, http.MethodPost, base+"/graphql", `{"query":"{ __typename }","`+p+`":null}`)
		check(t, res, http.StatusOK, "application/json", "")
	}
	res := send(t, http.MethodPost, base+"/graphql",
		`{"query":"query A { __typename } query B { b: __typename }","operationName":"B","extensions":{"some":"value"}}`)
	check(t, res, http.StatusOK, "application/json", "")
	if res.body != `{"data":{"b":"Query"}}` {
		t.Errorf("body = %s", res.body)
	}
}

func TestRequestContentType(t *testing.T) {
	base, _ := mustServe(t, Options{})
	body := query(rubioQuery, nil)
	tests := []struct {
		contentType string
		status      int
	}{
		{"application/json", 200},
		{"application/json; charset=utf-8", 200},
		{"application/json; charset=UTF-8", 200},
		{"Application/JSON", 200},
		{"application/json; charset=latin1", 415},
		{"text/plain", 415},
		{"application/graphql", 415},
		{"", 415},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			res := send(t, http.MethodPost, base+"/graphql", body, "Content-Type: "+tt.contentType)
			if res.status != tt.status {
				t.Errorf("status = %d, want %d\n%s", res.status, tt.status, res.body)
			}
			if tt.status == 200 && res.body != rubioAnswer {
				t.Errorf("body = %s", res.body)
			}
			if tt.status != 200 {
				check(t, res, tt.status, "application/json", "BAD_USER_INPUT")
			}
		})
	}
}

// TestUTF8 checks that non-ASCII text goes through both ways unharmed.
func TestUTF8(t *testing.T) {
	base, _ := mustServe(t, Options{})
	res := send(t, http.MethodPost, base+"/graphql", query(`{ __type(name: "Run🏃Swim🏊") { name } actor(key: "Rubio – 🏃") { key } }`, nil),
		"Content-Type: application/json; charset=utf-8")
	check(t, res, http.StatusOK, "application/json", "")
	if res.body != `{"data":{"__type":null,"actor":null}}` {
		t.Errorf("body = %s", res.body)
	}
}

func TestGET(t *testing.T) {
	base, _ := mustServe(t, Options{})
	get := func(params url.Values, headers ...string) response {
		return send(t, http.MethodGet, base+"/graphql?"+params.Encode(), "", headers...)
	}

	t.Run("Variables", func(t *testing.T) {
		res := get(url.Values{"query": {`query($k: String!) { actor(key: $k) { key name kind } }`}, "variables": {`{"k":"marco-rubio"}`}}, acceptGraphQL)
		check(t, res, http.StatusOK, "application/graphql-response+json", "")
		if res.body != rubioAnswer {
			t.Errorf("body = %s", res.body)
		}
	})
	t.Run("BadVariables", func(t *testing.T) {
		res := get(url.Values{"query": {`{ __typename }`}, "variables": {`["k"]`}})
		check(t, res, http.StatusBadRequest, "application/json", "BAD_USER_INPUT")
	})
	t.Run("NoQuery", func(t *testing.T) {
		res := get(url.Values{})
		check(t, res, http.StatusBadRequest, "application/json", "BAD_USER_INPUT")
	})
	t.Run("ValidationError", func(t *testing.T) {
		res := get(url.Values{"query": {`{ nope }`}}, acceptGraphQL)
		check(t, res, http.StatusBadRequest, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED")
	})
	t.Run("Mutation", func(t *testing.T) {
		// The served schema may or may not have mutations; either way a
		// mutation over GET is refused with a 4xx. testSchema (auth_test.go)
		// checks the 405.
		res := get(url.Values{"query": {`mutation { __typename }`}}, acceptGraphQL)
		if res.status < 400 || res.status > 499 {
			t.Errorf("status = %d, want 4xx\n%s", res.status, res.body)
		}
	})
}

// TestPersistedQueries checks automatic persisted queries: a hash alone
// is a query once the server has seen the query with it.
func TestPersistedQueries(t *testing.T) {
	base, _ := mustServe(t, Options{})
	sum := sha256.Sum256([]byte("{ __typename }"))
	hash := hex.EncodeToString(sum[:])
	ext := `"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`

	res := send(t, http.MethodPost, base+"/graphql", `{`+ext+`}`)
	check(t, res, http.StatusOK, "application/json", "PERSISTED_QUERY_NOT_FOUND")
	res = send(t, http.MethodPost, base+"/graphql", `{"query":"{ __typename }",`+ext+`}`)
	check(t, res, http.StatusOK, "application/json", "")
	res = send(t, http.MethodGet, base+"/graphql?extensions="+url.QueryEscape(`{"persistedQuery":{"version":1,"sha256Hash":"`+hash+`"}}`), "")
	check(t, res, http.StatusOK, "application/json", "")
	if res.body != `{"data":{"__typename":"Query"}}` {
		t.Errorf("body = %s", res.body)
	}
	res = send(t, http.MethodPost, base+"/graphql", `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`, acceptGraphQL)
	check(t, res, http.StatusBadRequest, "application/graphql-response+json", "BAD_USER_INPUT")
}
