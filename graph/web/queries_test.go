package web

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vektah/gqlparser/v2"

	"github.com/geotimeline/geotimeline/graph/generated"
)

// dynamicOperations are the documents the dashboard builds in code, as
// resolveActorNames builds them for two keys: one alias per key.
var dynamicOperations = map[string]string{
	"ActorNames": `query ActorNames($k0: String!, $k1: String!) { a0: actor(key: $k0) { id name } a1: actor(key: $k1) { id name } }`,
}

// TestDashboardDocumentsMatchSchema validates every GraphQL document the
// dashboard sends against the schema the server serves, so that a schema
// change that breaks the page fails go test, not only the browser tests
// that happen to send that query.
func TestDashboardDocumentsMatchSchema(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	docs, err := Documents()
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range dynamicOperations {
		if _, dup := docs[name]; dup {
			t.Errorf("%s is both in graphql/ and listed as built in code", name)
		}
		docs[name] = doc
	}
	for name, doc := range docs {
		if _, errs := gqlparser.LoadQuery(schema, doc); errs != nil {
			t.Errorf("%s does not validate against the schema: %v\n%s", name, errs, doc)
		}
	}
	// The check can fail: a field the schema lacks is refused, and so is
	// a fragment the document spreads but does not carry.
	for what, doc := range map[string]string{
		"a field the schema lacks": strings.Replace(docs["Timeline"], "pageInfo", "pageInformation", 1),
		"a missing fragment":       strings.Split(docs["Timeline"], "\n\nfragment ")[0],
	} {
		if _, errs := gqlparser.LoadQuery(schema, doc); errs == nil {
			t.Errorf("a Timeline query with %s validated", what)
		}
	}
}

var (
	// docCall is queries.js asking for a document by name.
	docCall = regexp.MustCompile(`\bdoc\('([A-Za-z_][A-Za-z0-9_]*)'\)`)
	// inlineOperation is an operation written in a script: a string that
	// starts with the keyword and a name.
	inlineOperation = regexp.MustCompile("['\"`]\\s*(?:query|mutation|subscription)\\s+([A-Za-z_][A-Za-z0-9_]*)")
)

// Every document in graphql/ is one the page loads, every one it loads
// exists, and the scripts write no operation of their own but those listed
// as built in code: a query typed into a script would escape the schema
// check above.
func TestDashboardDocumentsAreTheScripts(t *testing.T) {
	docs, err := Documents()
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(files, "dashboard/queries.js")
	if err != nil {
		t.Fatal(err)
	}
	var loaded []string
	for _, m := range docCall.FindAllStringSubmatch(string(b), -1) {
		loaded = append(loaded, m[1])
	}
	slices.Sort(loaded)
	var stored []string
	for name := range docs {
		stored = append(stored, name)
	}
	slices.Sort(stored)
	if !slices.Equal(loaded, stored) {
		t.Errorf("queries.js loads %q; graphql/ holds %q", loaded, stored)
	}
	var inline []string
	for _, script := range DashboardScripts() {
		b, err := fs.ReadFile(files, script)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range inlineOperation.FindAllStringSubmatch(string(b), -1) {
			inline = append(inline, m[1])
		}
	}
	if want := []string{"ActorNames"}; !slices.Equal(inline, want) {
		t.Errorf("the scripts write operations %q; want only %q, which dynamicOperations lists", inline, want)
	}
}

// The documents are read strictly: a file holds one operation named as
// the file, fragments live in fragments.graphql, and a spread of a
// fragment nobody defines is an error. A fragment's own spreads come along.
func TestReadDocuments(t *testing.T) {
	tree := func(files map[string]string) fstest.MapFS {
		m := fstest.MapFS{}
		for name, text := range files {
			m[documentsDir+"/"+name] = &fstest.MapFile{Data: []byte(text)}
		}
		return m
	}
	got, err := readDocuments(tree(map[string]string{
		"fragments.graphql": "fragment B on Actor { name }\n\nfragment A on Actor { id ...B }\n\nfragment C on Actor { key }\n",
		"One.graphql":       "query One { actor(key: \"x\") { ...A } }\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := "query One { actor(key: \"x\") { ...A } }\n\nfragment B on Actor { name }\n\nfragment A on Actor { id ...B }"
	if len(got) != 1 || got["One"] != want {
		t.Errorf("documents = %q, want One: %q", got, want)
	}
	for what, files := range map[string]map[string]string{
		"a name that is not the file's": {"One.graphql": "query Two { __typename }"},
		"two operations":                {"One.graphql": "query One { __typename }\nquery Two { __typename }"},
		"a fragment outside fragments":  {"One.graphql": "query One { __typename }\nfragment F on Actor { id }"},
		"an undefined fragment":         {"One.graphql": "query One { actor(key: \"x\") { ...Nope } }"},
		"an operation in fragments":     {"fragments.graphql": "query One { __typename }", "One.graphql": "query One { __typename }"},
		"a syntax error":                {"One.graphql": "query One { actor(key: ) }"},
		"no operations":                 {"fragments.graphql": "fragment F on Actor { id }"},
	} {
		if _, err := readDocuments(tree(files)); err == nil {
			t.Errorf("%s: read without an error", what)
		}
	}
}
