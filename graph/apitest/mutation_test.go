package apitest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/graph/server"
)

// export is the store's content as canonical fixture bytes.
func (a *api) export() []byte {
	a.t.Helper()
	b, err := a.store.Export(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	fixture.Sort(b)
	var buf bytes.Buffer
	if err := fixture.Encode(&buf, b); err != nil {
		a.t.Fatal(err)
	}
	return buf.Bytes()
}

// problemsOf returns the extensions.problems of a failed mutation as
// "where: what" lines, and its code.
func problemsOf(t *testing.T, r response) ([]string, string) {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("errors = %+v, want one", r.Errors)
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	var out []string
	list, _ := r.Errors[0].Extensions["problems"].([]any)
	for _, p := range list {
		m := p.(map[string]any)
		out = append(out, m["where"].(string)+": "+m["what"].(string))
	}
	return out, code
}

func TestUpsertActor(t *testing.T) {
	a := newAPI(t)
	q := `mutation($in: ActorInput!) { upsertActor(input: $in) { key name kind country { code } aliases description createdAt updatedAt } }`
	t.Run("Insert", func(t *testing.T) {
		data := a.data(q, map[string]any{"in": map[string]any{"key": "antonio-guterres", "name": "António Guterres",
			"kind": "PERSON", "country": "PRT", "aliases": []string{"UN Secretary-General"}}})
		var v struct{ UpsertActor map[string]any }
		json.Unmarshal(data, &v)
		if v.UpsertActor["createdAt"] != v.UpsertActor["updatedAt"] {
			t.Errorf("createdAt %v != updatedAt %v on insert", v.UpsertActor["createdAt"], v.UpsertActor["updatedAt"])
		}
		delete(v.UpsertActor, "createdAt")
		delete(v.UpsertActor, "updatedAt")
		b, _ := json.Marshal(v.UpsertActor)
		equalJSON(t, b, `{"key": "antonio-guterres", "name": "António Guterres", "kind": "PERSON", "country": {"code": "PT"},
		  "aliases": ["UN Secretary-General"], "description": null}`)
		equalJSON(t, a.data(`{ actor(key: "antonio-guterres") { name } }`, nil), `{"actor": {"name": "António Guterres"}}`)
	})
	t.Run("ReplaceListsOnUpdate", func(t *testing.T) {
		a.data(q, map[string]any{"in": map[string]any{"key": "antonio-guterres", "name": "António Guterres",
			"kind": "INTERNATIONAL_ORGANIZATION", "aliases": []string{}}})
		equalJSON(t, a.data(`{ actor(key: "antonio-guterres") { kind country { code } aliases } }`, nil),
			`{"actor": {"kind": "INTERNATIONAL_ORGANIZATION", "country": null, "aliases": []}}`)
	})
	t.Run("EveryProblemWithItsFieldPath", func(t *testing.T) {
		before := a.export()
		got, code := problemsOf(t, a.do(q, map[string]any{"in": map[string]any{"key": "Bad Key", "name": " ", "kind": "PERSON", "country": "XX"}}))
		want := []string{
			`input.key: invalid key "Bad Key": want 1 to 128 characters of a-z 0-9 - _ . : starting with a letter or digit`,
			`input.name: must not be empty`,
			`input.country: unknown country "XX"`,
		}
		if code != "BAD_USER_INPUT" || !slices.Equal(got, want) {
			t.Errorf("problems (%s):\n%q\nwant\n%q", code, got, want)
		}
		if !bytes.Equal(before, a.export()) {
			t.Error("a refused mutation changed the database")
		}
	})
}

func TestUpsertEventAndStatement(t *testing.T) {
	a := newAPI(t)
	ev := `mutation($in: EventInput!) { upsertEvent(input: $in) { key precision occurredAt participants { actor { key } role } links { kind event { key } } location { country { code } place } tags } }`
	t.Run("UnknownReferenceWritesNothing", func(t *testing.T) {
		before := a.export()
		got, code := problemsOf(t, a.do(ev, map[string]any{"in": map[string]any{"key": "ceasefire", "type": "CEASEFIRE",
			"title": "Ceasefire", "occurredAt": "2025-05-10", "participants": []any{
				map[string]any{"actor": "india", "role": "PARTICIPANT"}, map[string]any{"actor": "nobody", "role": "PARTICIPANT"}}}}))
		if want := []string{`input.participants[1].actor: unknown actor "nobody"`}; code != "BAD_USER_INPUT" || !slices.Equal(got, want) {
			t.Errorf("problems (%s) = %q, want %q", code, got, want)
		}
		if !bytes.Equal(before, a.export()) {
			t.Error("a refused mutation changed the database")
		}
	})
	t.Run("Insert", func(t *testing.T) {
		data := a.data(ev, map[string]any{"in": map[string]any{"key": "ceasefire", "type": "CEASEFIRE",
			"title": "India and Pakistan agree to a ceasefire", "occurredAt": "2025-05-10T17:00+05:30",
			"location": map[string]any{"country": "IND"}, "tags": []string{"ceasefire"},
			"participants": []any{map[string]any{"actor": "india", "role": "PARTICIPANT"}, map[string]any{"actor": "pakistan", "role": "PARTICIPANT"}},
			"links":        []any{map[string]any{"kind": "FOLLOWS", "event": "pakistan-air-attacks-drones-missiles"}}}})
		equalJSON(t, data, `{"upsertEvent": {"key": "ceasefire", "precision": "MINUTE", "occurredAt": "2025-05-10T11:30:00Z",
		  "participants": [{"actor": {"key": "india"}, "role": "PARTICIPANT"}, {"actor": {"key": "pakistan"}, "role": "PARTICIPANT"}],
		  "links": [{"kind": "FOLLOWS", "event": {"key": "pakistan-air-attacks-drones-missiles"}}],
		  "location": {"country": {"code": "IN"}, "place": null}, "tags": ["ceasefire"]}}`)
		// The new event is in the timeline, the graph and the search index.
		p := a.timeline(map[string]any{"first": 1, "order": "DESC"})
		if len(p.keys) != 1 || p.keys[0] != "ceasefire" || p.total != 13 {
			t.Errorf("timeline head = %q, total %d", p.keys, p.total)
		}
		equalJSON(t, a.data(`{ search(text: "ceasefire", first: 1) { node { ... on Event { key } } } }`, nil),
			`{"search": [{"node": {"key": "ceasefire"}}]}`)
	})
	t.Run("StatementAboutIt", func(t *testing.T) {
		data := a.data(`mutation($in: StatementInput!) { upsertStatement(input: $in) { key speaker { key } about { key } stances } }`,
			map[string]any{"in": map[string]any{"key": "trump-ceasefire-post", "kind": "SOCIAL_MEDIA_POST", "speaker": "donald-trump",
				"madeAt": "2025-05-10", "text": "India and Pakistan have agreed to a full and immediate ceasefire.",
				"about": []string{"ceasefire"}, "stances": []string{"SUPPORT"}}})
		equalJSON(t, data, `{"upsertStatement": {"key": "trump-ceasefire-post", "speaker": {"key": "donald-trump"},
		  "about": [{"key": "ceasefire"}], "stances": ["SUPPORT"]}}`)
		equalJSON(t, a.data(`{ event(key: "ceasefire") { statements { key } } }`, nil),
			`{"event": {"statements": [{"key": "trump-ceasefire-post"}]}}`)
	})
}

func TestUpsertRelationshipAndCountry(t *testing.T) {
	a := newAPI(t)
	rel := `mutation($in: RelationshipInput!) { upsertRelationship(input: $in) { key kind title subject { key } object { __typename ... on Country { code } ... on Actor { key } } from fromPrecision } }`
	in := map[string]any{"kind": "MEMBER_OF", "subject": "indian-armed-forces", "object": map[string]any{"actor": "india"}, "from": "1947"}
	equalJSON(t, a.data(rel, map[string]any{"in": in}), `{"upsertRelationship": {"key": null, "kind": "MEMBER_OF", "title": null,
	  "subject": {"key": "indian-armed-forces"}, "object": {"__typename": "Actor", "key": "india"}, "from": "1947-01-01T00:00:00Z", "fromPrecision": "YEAR"}}`)
	// Loading the same keyless relationship again finds it by identity: still one.
	a.data(rel, map[string]any{"in": in})
	equalJSON(t, a.data(`{ actor(key: "indian-armed-forces") { relationships { kind } } }`, nil),
		`{"actor": {"relationships": [{"kind": "MEMBER_OF"}]}}`)
	got, code := problemsOf(t, a.do(rel, map[string]any{"in": map[string]any{"kind": "BASED_IN", "subject": "india",
		"object": map[string]any{"actor": "india", "country": "IN"}}}))
	if want := []string{"input.object: give exactly one of actor and country"}; code != "BAD_USER_INPUT" || !slices.Equal(got, want) {
		t.Errorf("problems (%s) = %q", code, got)
	}
	equalJSON(t, a.data(`mutation { upsertCountry(input: {code: "XZ", name: "Testland", region: "Nowhere"}) { code alpha3 name region } }`, nil),
		`{"upsertCountry": {"code": "XZ", "alpha3": null, "name": "Testland", "region": "Nowhere"}}`)
	equalJSON(t, a.data(`mutation { upsertSource(input: {key: "reuters", url: "https://www.reuters.com/", publisher: "Reuters", publishedAt: "2025-05-10"}) { key url publisher publishedAt publishedPrecision } }`, nil),
		`{"upsertSource": {"key": "reuters", "url": "https://www.reuters.com/", "publisher": "Reuters", "publishedAt": "2025-05-10T00:00:00Z", "publishedPrecision": "DAY"}}`)
}

// loadFixture takes the same path as seed: loading the demo through it into
// an empty database gives exactly the database seed gives.
func TestLoadFixture(t *testing.T) {
	a := newAPI(t)
	var doc any
	if err := json.Unmarshal(demo.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	q := `mutation($f: JSON!) { loadFixture(fixture: $f) { inserted updated unchanged } }`
	equalJSON(t, a.data(q, map[string]any{"f": doc}), `{"loadFixture": {"inserted": 0, "updated": 0, "unchanged": 35}}`)

	empty := newEmptyAPI(t)
	equalJSON(t, empty.data(q, map[string]any{"f": doc}), `{"loadFixture": {"inserted": 35, "updated": 0, "unchanged": 0}}`)
	if !bytes.Equal(a.export(), empty.export()) {
		t.Error("the demo loaded through loadFixture differs from the demo loaded by seed")
	}
	got, code := problemsOf(t, a.do(q, map[string]any{"f": map[string]any{"version": 1,
		"events": []any{map[string]any{"key": "x", "type": "WAR", "title": "X", "occurredAt": "2025"}}}}))
	want := []string{`fixture.events[0].type: invalid value "WAR": want one of ATTACK, STRIKE, CALL, MEETING, STATEMENT_OF_POLICY, PROTEST, SANCTION, AGREEMENT, CEASEFIRE, MOBILIZATION, CEREMONY, OTHER, SUPPORT, CONCESSION, COOPERATION, AID, RETREAT, REQUEST, ACCUSATION, REJECTION, THREAT, COERCION`}
	if code != "BAD_USER_INPUT" || !slices.Equal(got, want) {
		t.Errorf("problems (%s) = %q", code, got)
	}
}

func TestDeletes(t *testing.T) {
	a := newAPI(t)
	t.Run("ReferencedIsRefused", func(t *testing.T) {
		before := a.export()
		msg, code := a.errorOf(`mutation { deleteEvent(key: "pahalgam-attack") { deleted { key } } }`, nil)
		want := `event "pahalgam-attack" is referred to by 1 event (india-retaliatory-strikes) and 2 statements (india-blames-pakistan-based-terror-groups, rubio-jaishankar-call-readout); delete with cascade: true to remove those references`
		if msg != want || code != "BAD_USER_INPUT" {
			t.Errorf("error = %q (%s)\nwant %q", msg, code, want)
		}
		if !bytes.Equal(before, a.export()) {
			t.Error("a refused delete changed the database")
		}
	})
	t.Run("Cascade", func(t *testing.T) {
		data := a.data(`mutation { deleteEvent(key: "pahalgam-attack", cascade: true) { deleted { kind key } updated { kind key } } }`, nil)
		equalJSON(t, data, `{"deleteEvent": {"deleted": [{"kind": "EVENT", "key": "pahalgam-attack"}],
		  "updated": [{"kind": "EVENT", "key": "india-retaliatory-strikes"}, {"kind": "STATEMENT", "key": "india-blames-pakistan-based-terror-groups"},
		    {"kind": "STATEMENT", "key": "rubio-jaishankar-call-readout"}]}}`)
		equalJSON(t, a.data(`{ event(key: "pahalgam-attack") { key } e: event(key: "india-retaliatory-strikes") { links { kind } }
		  s: statement(key: "rubio-jaishankar-call-readout") { about { key } } }`, nil),
			`{"event": null, "e": {"links": []}, "s": {"about": [{"key": "rubio-jaishankar-call"}]}}`)
	})
	t.Run("Unknown", func(t *testing.T) {
		msg, code := a.errorOf(`mutation { deleteStatement(key: "nothing") { deleted { key } } }`, nil)
		if msg != `no statement "nothing"` || code != "NOT_FOUND" {
			t.Errorf("error = %q (%s)", msg, code)
		}
	})
	t.Run("RelationshipByID", func(t *testing.T) {
		data := a.data(`{ actor(key: "donald-trump") { relationships { id } } }`, nil)
		var v struct {
			Actor struct{ Relationships []struct{ ID string } }
		}
		json.Unmarshal(data, &v)
		equalJSON(t, a.data(`mutation($id: ID!) { deleteRelationship(id: $id) { deleted { kind key } } }`, map[string]any{"id": v.Actor.Relationships[0].ID}),
			`{"deleteRelationship": {"deleted": [{"kind": "RELATIONSHIP", "key": "donald-trump-president"}]}}`)
		msg, code := a.errorOf(`mutation { deleteRelationship(id: "QWN0b3I6MTI") { deleted { key } } }`, nil)
		if msg != `id: "QWN0b3I6MTI" is the ID of a Actor, not of a relationship` || code != "BAD_USER_INPUT" {
			t.Errorf("error = %q (%s)", msg, code)
		}
	})
}

// Writes need the token; the API is otherwise untouched.
func TestMutationNeedsToken(t *testing.T) {
	a := newAPI(t)
	body := []byte(`{"query": "mutation { deleteStatement(key: \"rubio-sharif-call-readout-terrorism\") { deleted { key } } }"}`)
	for _, auth := range []string{"", "Bearer wrong-token"} {
		req, _ := http.NewRequest(http.MethodPost, a.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401", auth, resp.StatusCode)
		}
	}
	equalJSON(t, a.data(`{ statement(key: "rubio-sharif-call-readout-terrorism") { key } }`, nil),
		`{"statement": {"key": "rubio-sharif-call-readout-terrorism"}}`)
}

// Every loadFixture that writes is a run, listed newest first after the
// demo's seed: its file's SHA-256, what it changed and, to a client with a
// token, who ran it. A mutation of one record is not a run.
func TestRuns(t *testing.T) {
	a := newAPIWith(t, server.Options{})
	doc := map[string]any{"version": 1, "actors": []any{map[string]any{"key": "run-probe", "name": "Probe", "kind": "NGO"}}}
	if r := a.do(`mutation($f: JSON!) { loadFixture(fixture: $f) { inserted } }`, map[string]any{"f": doc}); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	body, _ := json.Marshal(doc)
	sum := sha256.Sum256(body)
	q := `{ runs(first: 5) { totalCount nodes { id command files { name sha256 } inserted updated unchanged client } pageInfo { hasNextPage } } }`
	want := fmt.Sprintf(`{"runs": {"totalCount": 1, "pageInfo": {"hasNextPage": false}, "nodes": [
	  {"id": "1", "command": "loadFixture", "files": [{"name": "fixture", "sha256": %q}], "inserted": 1, "updated": 0, "unchanged": 0, "client": "tests"}]}}`,
		hex.EncodeToString(sum[:]))
	equalJSON(t, a.data(q, nil), want)
	// Anonymous readers see the runs but not who ran them.
	anon := a.doToken("", q, nil)
	if len(anon.Errors) > 0 {
		t.Fatal(anon.Errors)
	}
	equalJSON(t, anon.Data, strings.Replace(want, `"client": "tests"`, `"client": null`, 1))
	// An upsert of one record is not a run.
	if r := a.do(`mutation { upsertActor(input: {key: "run-probe-2", name: "P", kind: NGO}) { key } }`, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	equalJSON(t, a.data(`{ runs { totalCount } }`, nil), `{"runs": {"totalCount": 1}}`)
	if msg, code := a.errorOf(`{ runs(after: "bm9wZQ") { totalCount } }`, nil); code != "BAD_USER_INPUT" {
		t.Errorf("a bad cursor: %q (%s), want BAD_USER_INPUT", msg, code)
	}
}
