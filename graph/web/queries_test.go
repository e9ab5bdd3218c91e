package web

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/geotimeline/geotimeline/graph/generated"
)

var (
	// quotedOperation is an operation written as one '…' string.
	quotedOperation = regexp.MustCompile(`'((?:query|mutation|subscription) [^'\\]*)'`)
	// fragmentSpread is a spread of a named fragment (not "... on T").
	fragmentSpread = regexp.MustCompile(`\.\.\.\s*([A-Za-z_][A-Za-z0-9_]*)`)
	fragmentName   = regexp.MustCompile(`^fragment\s+([A-Za-z_][A-Za-z0-9_]*)`)
)

// dynamicOperations are the documents the dashboard builds in code, as
// resolveActorNames builds them for two keys: one alias per key.
var dynamicOperations = map[string]string{
	"ActorNames": `query ActorNames($k0: String!, $k1: String!) { a0: actor(key: $k0) { id name } a1: actor(key: $k1) { id name } }`,
}

// pageDocuments are the GraphQL documents of a page's scripts: the
// template literals (the text between each pair of backticks: the scripts
// put none inside a substitution) and '…' strings that hold a whole
// operation, each with the fragments it spreads appended, as the scripts
// append them. A fragment may be defined in one script and spread in
// another's operation, and an operation written in two scripts fails.
func pageDocuments(t *testing.T, scripts []string) map[string]string {
	t.Helper()
	var ops []string
	fragments := map[string]string{}
	for _, script := range scripts {
		b, err := fs.ReadFile(files, script)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(string(b), "`")
		if len(parts)%2 == 0 {
			t.Fatalf("%s: an odd number of backticks", script)
		}
		for i := 1; i < len(parts); i += 2 {
			text := strings.TrimSpace(parts[i])
			if strings.HasPrefix(text, "fragment ") {
				// A literal may hold several fragments.
				for _, f := range strings.Split("\n"+text, "\nfragment ")[1:] {
					f = "fragment " + f
					fragments[fragmentName.FindStringSubmatch(f)[1]] = f
				}
				continue
			}
			if m := operationName.FindStringSubmatch(text); m != nil && strings.HasPrefix(text, strings.Fields(m[0])[0]) {
				ops = append(ops, text)
			}
		}
		for _, m := range quotedOperation.FindAllStringSubmatch(string(b), -1) {
			if strings.Count(m[1], "{") > 0 && strings.Count(m[1], "{") == strings.Count(m[1], "}") {
				ops = append(ops, m[1])
			}
		}
	}
	docs := map[string]string{}
	for _, op := range ops {
		name := operationName.FindStringSubmatch(op)[1]
		doc := op
		seen := map[string]bool{}
		for _, s := range fragmentSpread.FindAllStringSubmatch(op, -1) {
			if f, ok := fragments[s[1]]; ok && !seen[s[1]] {
				seen[s[1]] = true
				doc += "\n" + f
			}
		}
		if _, dup := docs[name]; dup {
			t.Errorf("operation %s is written twice", name)
		}
		docs[name] = doc
	}
	return docs
}

// TestDashboardDocumentsMatchSchema validates every GraphQL document the
// dashboard's modules send against the schema the server serves, so that a schema
// change that breaks the page fails go test, not only the browser tests
// that happen to send that query.
func TestDashboardDocumentsMatchSchema(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	scripts := DashboardScripts()
	docs := pageDocuments(t, scripts)
	for name, doc := range dynamicOperations {
		if _, dup := docs[name]; dup {
			t.Errorf("%s is both written out and listed as built in code", name)
		}
		docs[name] = doc
	}
	var named []string
	for _, script := range scripts {
		b, err := fs.ReadFile(files, script)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range operationName.FindAllStringSubmatch(string(b), -1) {
			named = append(named, m[1])
		}
	}
	slices.Sort(named)
	named = slices.Compact(named)
	var found []string
	for name := range docs {
		found = append(found, name)
	}
	slices.Sort(found)
	// Every operation the script names is checked, as a whole document.
	if !slices.Equal(found, named) {
		t.Fatalf("documents found %q, operations named in %q %q", found, scripts, named)
	}
	for _, name := range found {
		if _, errs := gqlparser.LoadQuery(schema, docs[name]); errs != nil {
			t.Errorf("%s does not validate against the schema: %v\n%s", name, errs, docs[name])
		}
	}
	// The check can fail: a field the schema lacks is refused, and so is
	// a fragment the document spreads but does not carry.
	for what, doc := range map[string]string{
		"a field the schema lacks": strings.Replace(docs["Timeline"], "pageInfo", "pageInformation", 1),
		"a missing fragment":       strings.Split(docs["Timeline"], "\nfragment ")[0],
	} {
		if _, errs := gqlparser.LoadQuery(schema, doc); errs == nil {
			t.Errorf("a Timeline query with %s validated", what)
		}
	}
}
