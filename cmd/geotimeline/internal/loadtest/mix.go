// Package loadtest is the load generator behind "geotimeline bench": it
// learns a few parameters from a running server (Discover), turns a mix of
// read queries into request bodies (Build), runs them at a given
// concurrency for a fixed time (Run) and reports requests per second and
// latency percentiles (Report).
//
// It speaks only HTTP/1.1 POST with a JSON body, the way a dashboard does,
// and by default connects only to loopback addresses (CheckURL, and a dialer
// that refuses anything else).
package loadtest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Query is one kind of request of the mix.
type Query struct {
	// Name is how --mix and the report call it.
	Name string
	// About says what it asks, for help.
	About string
	// Doc is the GraphQL document. It is sent unchanged on every request,
	// with the discovered values as variables, so that the server's parsed
	// query cache sees the same text each time, as it would from a real
	// client.
	Doc string
	// vars returns the variables from the discovered parameters, or why
	// the query cannot run against this server.
	vars func(p *Params) (map[string]any, string)
}

// The selections the queries share.
const (
	// pageSel is what a list view shows of each item of a timeline page.
	// totalCount is left out: it is counted only when asked for, and a
	// list view pages by cursor.
	pageSel = `nodes { __typename ... on Event { id key title type occurredAt precision } ` +
		`... on Statement { id key kind madeAt precision text } } pageInfo { hasNextPage endCursor }`
	// nestedSel is what a detail view shows: each event's participants with
	// their actor and its country, and the statements about it with their
	// speaker.
	nestedSel = `nodes { __typename ` +
		`... on Event { id key title type occurredAt precision participants { role actor { id key name country { code name } } } ` +
		`statements { id key kind madeAt text speaker { id key name } } } ` +
		`... on Statement { id key kind madeAt precision text speaker { id key name country { code name } } } } ` +
		`pageInfo { hasNextPage endCursor }`
	// graphSel is what a graph view draws.
	graphSel = `nodes { __typename id ... on Actor { key name } ... on Event { key title } ` +
		`... on Statement { key } ... on Country { code name } } edges { kind role at from { id } to { id } }`
)

const neighborhoodDoc = `query Neighborhood($id: ID!) { neighborhood(id: $id, depth: 2, limit: 200) { truncated ` + graphSel + ` } }`

// Mix is every query the benchmark knows, in the order of the report. A
// worker sends them in this order, round-robin.
var Mix = []Query{
	{
		Name:  "timeline",
		About: "the first page of 50 of the whole timeline",
		Doc:   `query Timeline { timeline(first: 50) { ` + pageSel + ` } }`,
		vars:  func(*Params) (map[string]any, string) { return nil, "" },
	},
	{
		Name:  "by-actor",
		About: "a page of 50 of the busiest actor's timeline",
		Doc:   `query ByActor($actor: String!) { timeline(first: 50, filter: {actors: [$actor]}) { ` + pageSel + ` } }`,
		vars: func(p *Params) (map[string]any, string) {
			if p.Busy == nil {
				return nil, "no actor took part in an event"
			}
			return map[string]any{"actor": p.Busy.Key}, ""
		},
	},
	{
		Name:  "by-country",
		About: "a page of 50 of one country's timeline (the commonest event location)",
		Doc:   `query ByCountry($country: String!) { timeline(first: 50, filter: {countries: [$country]}) { ` + pageSel + ` } }`,
		vars: func(p *Params) (map[string]any, string) {
			if p.Country == "" {
				return nil, "no sampled event has a country"
			}
			return map[string]any{"country": p.Country}, ""
		},
	},
	{
		Name:  "by-type",
		About: "a page of 50 events of the commonest type (include: EVENT)",
		Doc:   `query ByType($type: EventType!) { timeline(first: 50, filter: {eventTypes: [$type], include: [EVENT]}) { ` + pageSel + ` } }`,
		vars: func(p *Params) (map[string]any, string) {
			if p.EventType == "" {
				return nil, "no events"
			}
			return map[string]any{"type": p.EventType}, ""
		},
	},
	{
		Name:  "by-range",
		About: "a page of 50 of the busiest month",
		Doc:   `query ByRange($from: DateTime!, $to: DateTime!) { timeline(first: 50, filter: {from: $from, to: $to}) { ` + pageSel + ` } }`,
		vars: func(p *Params) (map[string]any, string) {
			if p.From == "" {
				return nil, "no events"
			}
			return map[string]any{"from": p.From, "to": p.To}, ""
		},
	},
	{
		Name:  "by-text",
		About: "a page of 50 matching the commonest word of event titles",
		Doc:   `query ByText($text: String!) { timeline(first: 50, filter: {text: $text}) { ` + pageSel + ` } }`,
		vars: func(p *Params) (map[string]any, string) {
			if p.Text == "" {
				return nil, "no word of 4 letters or more in the sampled event titles"
			}
			return map[string]any{"text": p.Text}, ""
		},
	},
	{
		Name:  "deep-page",
		About: "a page of 50 far into the timeline (after a cursor found at start-up, or last: 50)",
		Doc: `query DeepPage($first: Int, $after: String, $last: Int) { ` +
			`timeline(first: $first, after: $after, last: $last) { ` + pageSel + ` } }`,
		vars: func(p *Params) (map[string]any, string) {
			if p.DeepCursor == "" {
				return map[string]any{"last": 50}, ""
			}
			return map[string]any{"first": 50, "after": p.DeepCursor}, ""
		},
	},
	{
		Name:  "nested-page",
		About: "the first page of 50 with participants → actor → country and statements → speaker",
		Doc:   `query NestedPage { timeline(first: 50) { ` + nestedSel + ` } }`,
		vars:  func(*Params) (map[string]any, string) { return nil, "" },
	},
	{
		Name:  "neighborhood-busy",
		About: "everything within 2 hops of the busiest actor, at most 200 nodes",
		Doc:   neighborhoodDoc,
		vars: func(p *Params) (map[string]any, string) {
			if p.Busy == nil {
				return nil, "no actor took part in an event"
			}
			return map[string]any{"id": p.Busy.ID}, ""
		},
	},
	{
		Name:  "neighborhood-quiet",
		About: "everything within 2 hops of a quiet actor, at most 200 nodes",
		Doc:   neighborhoodDoc,
		vars: func(p *Params) (map[string]any, string) {
			if p.Quiet == nil {
				return nil, "fewer than two actors"
			}
			return map[string]any{"id": p.Quiet.ID}, ""
		},
	},
	{
		Name:  "shortest-path",
		About: "a shortest path (maxDepth 4) between two actors",
		Doc: `query ShortestPath($from: ID!, $to: ID!) { shortestPath(from: $from, to: $to, maxDepth: 4) { ` +
			`length nodes { __typename id } edges { kind role at from { id } to { id } } } }`,
		vars: func(p *Params) (map[string]any, string) {
			if p.PathFrom == nil {
				return nil, "no pair of actors the server answers a path for"
			}
			return map[string]any{"from": p.PathFrom.ID, "to": p.PathTo.ID}, ""
		},
	},
	{
		Name:  "event-counts",
		About: "events counted per month over the whole range",
		Doc:   `query EventCounts { eventCounts(interval: MONTH) { start count fatalities } }`,
		vars:  func(*Params) (map[string]any, string) { return nil, "" },
	},
}

// Names returns the names of the whole mix.
func Names() []string {
	names := make([]string, len(Mix))
	for i, q := range Mix {
		names[i] = q.Name
	}
	return names
}

// Select returns the queries named in spec, a comma-separated list or
// "all", in the order of Mix and each once.
func Select(spec string) ([]Query, error) {
	if strings.TrimSpace(spec) == "all" {
		return Mix, nil
	}
	want := map[string]bool{}
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for _, q := range Mix {
			found = found || q.Name == name
		}
		if !found {
			return nil, fmt.Errorf("unknown query %q: want all or some of %s", name, strings.Join(Names(), ","))
		}
		want[name] = true
	}
	var out []Query
	for _, q := range Mix {
		if want[q.Name] {
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no query named: want all or some of %s", strings.Join(Names(), ","))
	}
	return out, nil
}

// Request is one query of the mix, ready to send.
type Request struct {
	Name string
	Body []byte
}

// Build turns queries into request bodies with the variables p gives. A
// query p cannot serve is left out and named in skipped, with the reason.
func Build(queries []Query, p *Params) (reqs []Request, skipped []string) {
	for _, q := range queries {
		vars, why := q.vars(p)
		if why != "" {
			skipped = append(skipped, q.Name+": "+why)
			continue
		}
		body, err := json.Marshal(struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables,omitempty"`
		}{q.Doc, vars})
		if err != nil {
			// The variables are strings and numbers.
			panic(err)
		}
		reqs = append(reqs, Request{Name: q.Name, Body: body})
	}
	return reqs, skipped
}
