package bench

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// The floors: what the same SQL costs run directly through the store and
// encoded with encoding/json — no GraphQL, no HTTP. The README divides each
// end-to-end figure by its floor.

type floorActor struct {
	Key     string      `json:"key"`
	Name    string      `json:"name"`
	Country *db.Country `json:"country"`
}

type floorParticipant struct {
	Role  db.ParticipantRole `json:"role"`
	Actor floorActor         `json:"actor"`
}

type floorStatement struct {
	Key     string `json:"key"`
	Speaker struct {
		Name string `json:"name"`
	} `json:"speaker"`
}

type floorEvent struct {
	Key          string             `json:"key"`
	Title        string             `json:"title"`
	OccurredAt   string             `json:"occurredAt"`
	Participants []floorParticipant `json:"participants"`
	Statements   []floorStatement   `json:"statements"`
}

// nestedFloor reads what the nested page reads, with one batched store call
// per level as the loaders make them, and encodes it.
func nestedFloor(ctx context.Context, e *env) ([]byte, error) {
	s := e.store
	page, err := s.Timeline(ctx, db.TimelineFilter{Include: []db.ItemKind{db.ItemEvent}}, db.Ascending, db.Page{Limit: 50})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(page.Items))
	for i, it := range page.Items {
		ids[i] = it.ID
	}
	events, err := s.EventsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	parts, err := s.Participants(ctx, ids)
	if err != nil {
		return nil, err
	}
	about, err := s.StatementsAbout(ctx, ids)
	if err != nil {
		return nil, err
	}
	var actorKeys, statementKeys []string
	for _, id := range ids {
		for _, p := range parts[id] {
			actorKeys = append(actorKeys, p.Actor)
		}
		statementKeys = append(statementKeys, about[id]...)
	}
	actors, err := s.ActorsByKey(ctx, actorKeys)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*db.Actor{}
	var codes []string
	for _, a := range actors {
		byKey[a.Key] = a
		if a.Country != "" {
			codes = append(codes, a.Country)
		}
	}
	countries, err := s.CountriesByCode(ctx, codes)
	if err != nil {
		return nil, err
	}
	byCode := map[string]*db.Country{}
	for _, c := range countries {
		byCode[c.Code] = c
	}
	statements, err := s.StatementsByKey(ctx, statementKeys)
	if err != nil {
		return nil, err
	}
	var speakerKeys []string
	stByKey := map[string]*db.Statement{}
	for _, st := range statements {
		stByKey[st.Key] = st
		speakerKeys = append(speakerKeys, st.Speaker)
	}
	speakers, err := s.ActorsByKey(ctx, speakerKeys)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, a := range speakers {
		names[a.Key] = a.Name
	}
	byID := map[int64]*db.Event{}
	for _, ev := range events {
		byID[ev.ID] = ev
	}
	out := make([]floorEvent, 0, len(ids))
	for _, id := range ids {
		ev := byID[id]
		fe := floorEvent{Key: ev.Key, Title: ev.Title, OccurredAt: ev.OccurredAt.At.Format("2006-01-02T15:04:05Z07:00")}
		for _, p := range parts[id] {
			a := byKey[p.Actor]
			fe.Participants = append(fe.Participants, floorParticipant{Role: p.Role,
				Actor: floorActor{Key: a.Key, Name: a.Name, Country: byCode[a.Country]}})
		}
		for _, k := range about[id] {
			st := floorStatement{Key: k}
			st.Speaker.Name = names[stByKey[k].Speaker]
			fe.Statements = append(fe.Statements, st)
		}
		out = append(out, fe)
	}
	return json.Marshal(map[string]any{"data": map[string]any{"timeline": map[string]any{"nodes": out}}})
}

func BenchmarkNestedPageFloor(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := nestedFloor(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTimelineFirstPageFloor(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		page, err := e.store.Timeline(ctx, db.TimelineFilter{}, db.Ascending, db.Page{Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		evIDs, stIDs := page.IDs()
		evs, err := e.store.EventsByID(ctx, evIDs)
		if err != nil {
			b.Fatal(err)
		}
		sts, err := e.store.StatementsByID(ctx, stIDs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(map[string]any{"events": evs, "statements": sts}); err != nil {
			b.Fatal(err)
		}
	}
}

// The benchmarks must answer, not just run: a smoke test on the default
// graph keeps them honest in `go test ./...`.
func TestBenchmarkQueriesAnswer(t *testing.T) {
	e := setup(t)
	for _, p := range []string{e.busy, e.quiet, e.near, e.country, e.word, e.deepCursor} {
		if p == "" {
			t.Fatalf("a benchmark parameter was not found: %+v", e)
		}
	}
	floor, err := nestedFloor(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Data struct {
			Timeline struct{ Nodes []floorEvent }
		}
	}
	json.Unmarshal(floor, &v)
	if len(v.Data.Timeline.Nodes) != 50 {
		t.Errorf("floor page has %d events, want 50", len(v.Data.Timeline.Nodes))
	}
	var api struct {
		Timeline struct{ Nodes []floorEvent }
	}
	if err := e.query(nested, nil, &api); err != nil {
		t.Fatal(err)
	}
	for i, n := range api.Timeline.Nodes {
		if f := v.Data.Timeline.Nodes[i]; n.Key != f.Key || len(n.Participants) != len(f.Participants) || len(n.Statements) != len(f.Statements) {
			t.Errorf("item %d: the API and the floor read different data: %s vs %s", i, n.Key, f.Key)
		}
	}
	var path struct {
		ShortestPath *struct{ Length int }
	}
	if err := e.query(`query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxDepth: 6, filter: {edgeKinds: [PARTICIPATION]}) { length } }`,
		map[string]any{"a": e.quietID, "b": e.nearID}, &path); err != nil || path.ShortestPath == nil || path.ShortestPath.Length != 2 {
		t.Errorf("distance to a counterpart: %+v, %v; want 2", path.ShortestPath, err)
	}
	if e.farID != "" {
		if err := e.query(`query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxDepth: 6, filter: {edgeKinds: [PARTICIPATION]}) { length } }`,
			map[string]any{"a": e.quietID, "b": e.farID}, &path); err != nil || path.ShortestPath == nil || path.ShortestPath.Length != 4 {
			t.Errorf("distance to a counterpart's counterpart: %+v, %v; want 4", path.ShortestPath, err)
		}
	}
}
