package loadtest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// ActorRef is an actor the mix asks about.
type ActorRef struct {
	Key    string `json:"key"`
	ID     string `json:"id"`
	Events int    `json:"events"`
}

// Params are the values the mix's queries use, learnt from the server at
// start-up so that the same mix runs against the demo and against a large
// generated graph. A nil or empty field means the server had nothing to
// offer for it; the queries that need it are skipped (see Build).
type Params struct {
	// Busy is the actor with the most events among the first 100 actors
	// by key and the counterparts of the busiest of them.
	Busy *ActorRef `json:"busy_actor,omitempty"`
	// Quiet is the actor of the sample with the fewest events, one at
	// least when some actor has one.
	Quiet *ActorRef `json:"quiet_actor,omitempty"`
	// Country is the commonest location country of the first 50 events
	// (or, failing that, of their participants).
	Country string `json:"country,omitempty"`
	// EventType is the commonest type of the first 50 events.
	EventType string `json:"event_type,omitempty"`
	// From and To bound the month with the most events.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Text is the commonest word of 4 letters or more of the first 50
	// event titles.
	Text string `json:"text,omitempty"`
	// DeepCursor is a timeline cursor DeepOffset items in, found by paging
	// forwards; empty when the timeline has no more than one page of 100,
	// and the deep page is then the last 50 items.
	DeepCursor string `json:"deep_cursor,omitempty"`
	DeepOffset int    `json:"deep_offset"`
	// PathFrom and PathTo are the ends of the shortest-path query and
	// PathLength the length of the path between them (-1 when there is
	// none within 4 edges).
	PathFrom   *ActorRef `json:"path_from,omitempty"`
	PathTo     *ActorRef `json:"path_to,omitempty"`
	PathLength int       `json:"path_length"`
}

// How far Discover walks the timeline for the deep page's cursor.
const (
	deepPageSize = 100
	deepMaxPages = 20
)

type actorNode struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Events struct {
		TotalCount int `json:"totalCount"`
	} `json:"events"`
}

func (a actorNode) ref() *ActorRef {
	return &ActorRef{Key: a.Key, ID: a.ID, Events: a.Events.TotalCount}
}

// Discover asks the server for the parameters of the mix, in a few dozen
// small requests. It fails only when the server cannot be queried.
func Discover(ctx context.Context, c *Client) (*Params, error) {
	p := &Params{PathLength: -1}

	// Actors: the busiest and a quiet one of a sample, then one step
	// towards busier ones through the busiest's counterparts.
	var actors struct {
		Actors struct {
			Nodes []actorNode `json:"nodes"`
		} `json:"actors"`
	}
	if err := c.query(ctx, `{ actors(first: 100) { nodes { id key events { totalCount } } } }`, nil, &actors); err != nil {
		return nil, fmt.Errorf("sample actors: %w", err)
	}
	sample := actors.Actors.Nodes
	var counterparts []actorNode
	if len(sample) > 0 {
		busy := sample[0]
		for _, a := range sample[1:] {
			if a.Events.TotalCount > busy.Events.TotalCount {
				busy = a
			}
		}
		var cp struct {
			Actor *struct {
				Counterparts []struct {
					Actor actorNode `json:"actor"`
				} `json:"counterparts"`
			} `json:"actor"`
		}
		if err := c.query(ctx, `query($key: String!) { actor(key: $key) { counterparts(first: 20) { actor { id key events { totalCount } } } } }`,
			map[string]any{"key": busy.Key}, &cp); err != nil {
			return nil, fmt.Errorf("counterparts of %s: %w", busy.Key, err)
		}
		if cp.Actor != nil {
			for _, x := range cp.Actor.Counterparts {
				counterparts = append(counterparts, x.Actor)
				if x.Actor.Events.TotalCount > busy.Events.TotalCount {
					busy = x.Actor
				}
			}
		}
		p.Busy = busy.ref()
		var quiet *actorNode
		for i, a := range sample {
			if a.Key == busy.Key {
				continue
			}
			if quiet == nil || quieter(a, *quiet) {
				quiet = &sample[i]
			}
		}
		if quiet != nil {
			p.Quiet = quiet.ref()
		}
	}

	// Events: a country, a type and a word.
	var events struct {
		Events struct {
			Nodes []struct {
				Title    string `json:"title"`
				Type     string `json:"type"`
				Location *struct {
					Country *struct {
						Code string `json:"code"`
					} `json:"country"`
				} `json:"location"`
				Participants []struct {
					Actor struct {
						Country *struct {
							Code string `json:"code"`
						} `json:"country"`
					} `json:"actor"`
				} `json:"participants"`
			} `json:"nodes"`
		} `json:"events"`
	}
	if err := c.query(ctx, `{ events(first: 50) { nodes { title type location { country { code } } participants { actor { country { code } } } } } }`,
		nil, &events); err != nil {
		return nil, fmt.Errorf("sample events: %w", err)
	}
	var locations, affiliations, types, titles []string
	for _, e := range events.Events.Nodes {
		types = append(types, e.Type)
		titles = append(titles, e.Title)
		if e.Location != nil && e.Location.Country != nil {
			locations = append(locations, e.Location.Country.Code)
		}
		for _, pa := range e.Participants {
			if pa.Actor.Country != nil {
				affiliations = append(affiliations, pa.Actor.Country.Code)
			}
		}
	}
	p.EventType = commonest(types)
	if p.Country = commonest(locations); p.Country == "" {
		p.Country = commonest(affiliations)
	}
	p.Text = commonWord(titles)

	// The busiest month.
	var counts struct {
		EventCounts []struct {
			Start time.Time `json:"start"`
			Count int       `json:"count"`
		} `json:"eventCounts"`
	}
	if err := c.query(ctx, `{ eventCounts(interval: MONTH) { start count } }`, nil, &counts); err != nil {
		return nil, fmt.Errorf("count events per month: %w", err)
	}
	best := -1
	for i, b := range counts.EventCounts {
		if best < 0 || b.Count > counts.EventCounts[best].Count {
			best = i
		}
	}
	if best >= 0 {
		start := counts.EventCounts[best].Start.UTC()
		p.From, p.To = start.Format(time.RFC3339), start.AddDate(0, 1, 0).Format(time.RFC3339)
	}

	// A cursor far into the timeline, followed by at least one item.
	var after any
	for range deepMaxPages {
		var page struct {
			Timeline struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"timeline"`
		}
		if err := c.query(ctx, `query($first: Int!, $after: String) { timeline(first: $first, after: $after) { pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"first": deepPageSize, "after": after}, &page); err != nil {
			return nil, fmt.Errorf("walk the timeline: %w", err)
		}
		if !page.Timeline.PageInfo.HasNextPage {
			break
		}
		p.DeepCursor, p.DeepOffset = page.Timeline.PageInfo.EndCursor, p.DeepOffset+deepPageSize
		after = p.DeepCursor
	}

	// Two actors with a path between them: the quiet and the busy one, or
	// else the busy one and a counterpart. A pair the server refuses (a
	// search too large) is passed over.
	type pair struct{ from, to *ActorRef }
	var pairs []pair
	if p.Busy != nil && p.Quiet != nil {
		pairs = append(pairs, pair{p.Quiet, p.Busy})
	}
	for _, cp := range counterparts {
		if p.Busy != nil && cp.Key != p.Busy.Key {
			pairs = append(pairs, pair{p.Busy, cp.ref()})
			break
		}
	}
	for _, pr := range pairs {
		var path struct {
			ShortestPath *struct {
				Length int `json:"length"`
			} `json:"shortestPath"`
		}
		if err := c.query(ctx, `query($from: ID!, $to: ID!) { shortestPath(from: $from, to: $to, maxDepth: 4) { length } }`,
			map[string]any{"from": pr.from.ID, "to": pr.to.ID}, &path); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			continue
		}
		if p.PathFrom == nil || path.ShortestPath != nil {
			p.PathFrom, p.PathTo = pr.from, pr.to
		}
		if path.ShortestPath != nil {
			p.PathLength = path.ShortestPath.Length
			break
		}
	}
	return p, nil
}

// quieter reports whether a is quieter than b: fewer events, but one at
// least when either has one, so that the quiet actor still has a
// neighbourhood of events.
func quieter(a, b actorNode) bool {
	x, y := a.Events.TotalCount, b.Events.TotalCount
	if (x == 0) != (y == 0) {
		return y == 0
	}
	return x < y
}

// commonest returns the commonest string of xs, the first seen among
// equals; "" when xs is empty.
func commonest(xs []string) string {
	n := map[string]int{}
	best := ""
	for _, x := range xs {
		n[x]++
		if n[x] > n[best] {
			best = x
		}
	}
	return best
}

// stopWords are common English words not worth a full-text query.
var stopWords = map[string]bool{
	"about": true, "after": true, "against": true, "also": true, "been": true, "before": true,
	"between": true, "from": true, "have": true, "into": true, "over": true, "said": true,
	"that": true, "their": true, "they": true, "this": true, "were": true, "which": true,
	"with": true, "will": true,
}

// commonWord returns the commonest word of 4 letters or more in titles,
// lower-cased, ignoring stop words; the longest, then the first
// alphabetically, among equals.
func commonWord(titles []string) string {
	n := map[string]int{}
	for _, t := range titles {
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(w)) >= 4 && !stopWords[w] {
				n[w]++
			}
		}
	}
	words := make([]string, 0, len(n))
	for w := range n {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		a, b := words[i], words[j]
		if n[a] != n[b] {
			return n[a] > n[b]
		}
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return a < b
	})
	if len(words) == 0 {
		return ""
	}
	return words[0]
}
