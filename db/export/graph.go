package export

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// The graph formats (GEXF, GraphML) hold the matching events and statements
// as nodes with the actors and countries they touch, and the graph's edges
// among them. Both formats want every node before the edges (GEXF by its
// schema; Gephi reads GraphML the same way), so the timeline is walked
// twice under one snapshot: once for the item nodes, once for their edges.
// What is kept between the passes is the set of actors and countries
// touched, bounded by the number of actors, not of events.

// Node types, the "type" attribute of every node.
const (
	NodeEvent     = "EVENT"
	NodeStatement = "STATEMENT"
	NodeActor     = "ACTOR"
	NodeCountry   = "COUNTRY"
)

// Edge kinds, the "kind" attribute of every edge; "role" says more (the
// participant's role, the relationship's or link's kind).
const (
	EdgeParticipant  = "PARTICIPANT"  // event → actor, role: the participant's role
	EdgeSpeaker      = "SPEAKER"      // statement → actor (speaker and co-speakers)
	EdgeDeliverer    = "DELIVERED_BY" // statement → actor
	EdgeAddressee    = "ADDRESSEE"    // statement → actor
	EdgeAbout        = "ABOUT"        // statement → event, when both are exported
	EdgeLink         = "LINK"         // event → event, role: the link kind, when both are exported
	EdgeLocation     = "LOCATION"     // event → country
	EdgeAffiliation  = "AFFILIATION"  // actor → country
	EdgeRelationship = "RELATIONSHIP" // actor → actor or country, role: the relationship kind
)

type graphNode struct {
	ID, Label, Type, Key, Kind string
	Start, End                 string // RFC 3339, "" for always
}

type graphEdge struct {
	Source, Target, Kind, Role string
	Start, End                 string
}

// graphFormat writes one of the formats.
type graphFormat interface {
	begin() error
	node(graphNode) error
	edges() error // between the last node and the first edge
	edge(graphEdge) error
	end() error
}

func nodeID(typ, key string) string {
	switch typ {
	case NodeEvent:
		return "event:" + key
	case NodeStatement:
		return "statement:" + key
	case NodeActor:
		return "actor:" + key
	}
	return "country:" + key
}

// timeAttr keeps milliseconds (RFC 3339 with a fraction, as xsd:dateTime
// allows) so that a SECOND item's end is after its start.
func timeAttr(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func writeGraph(ctx context.Context, store Reader, format Format, f db.TimelineFilter, w io.Writer) error {
	if _, err := store.MatchTimeline(ctx, f, nil); err != nil {
		return err
	}
	ctx, end := store.Snapshot(ctx)
	defer end()
	bw := bufio.NewWriter(w)
	var g graphFormat
	if format == GEXF {
		g = &gexfWriter{w: bw, enc: xml.NewEncoder(bw)}
	} else {
		g = &graphmlWriter{w: bw, enc: xml.NewEncoder(bw)}
	}
	if err := g.begin(); err != nil {
		return err
	}
	actors := map[string]bool{}
	countries := map[string]bool{}
	err := Walk(ctx, store, f, db.Ascending, func(it Item) error {
		if e := it.Event; e != nil {
			span := e.When()
			for _, p := range e.Participants {
				actors[p.Actor] = true
			}
			if e.Location.Country != "" {
				countries[e.Location.Country] = true
			}
			return g.node(graphNode{ID: nodeID(NodeEvent, e.Key), Label: e.Title, Type: NodeEvent, Key: e.Key,
				Kind: string(e.Type), Start: timeAttr(span.Earliest), End: timeAttr(span.Latest)})
		}
		s := it.Statement
		span := s.When()
		actors[s.Speaker] = true
		for _, a := range s.CoSpeakers {
			actors[a] = true
		}
		if s.DeliveredBy != "" {
			actors[s.DeliveredBy] = true
		}
		for _, a := range s.Addressees {
			actors[a] = true
		}
		return g.node(graphNode{ID: nodeID(NodeStatement, s.Key), Label: s.Speaker + ": " + string(s.Kind), Type: NodeStatement,
			Key: s.Key, Kind: string(s.Kind), Start: timeAttr(span.Earliest), End: timeAttr(span.Latest)})
	})
	if err != nil {
		return err
	}
	ties, err := actorNodes(ctx, store, g, actors, countries)
	if err != nil {
		return err
	}
	if err := g.edges(); err != nil {
		return err
	}
	err = walkEdges(ctx, store, f, func(it Item, exported map[string]bool) error {
		if e := it.Event; e != nil {
			span := e.When()
			from, start, end := nodeID(NodeEvent, e.Key), timeAttr(span.Earliest), timeAttr(span.Latest)
			for _, p := range e.Participants {
				if err := g.edge(graphEdge{from, nodeID(NodeActor, p.Actor), EdgeParticipant, string(p.Role), start, end}); err != nil {
					return err
				}
			}
			if e.Location.Country != "" {
				if err := g.edge(graphEdge{from, nodeID(NodeCountry, e.Location.Country), EdgeLocation, "", start, end}); err != nil {
					return err
				}
			}
			for _, l := range e.Links {
				if exported[l.Event] {
					if err := g.edge(graphEdge{from, nodeID(NodeEvent, l.Event), EdgeLink, string(l.Kind), start, end}); err != nil {
						return err
					}
				}
			}
			return nil
		}
		s := it.Statement
		span := s.When()
		from, start, end := nodeID(NodeStatement, s.Key), timeAttr(span.Earliest), timeAttr(span.Latest)
		edges := []graphEdge{{from, nodeID(NodeActor, s.Speaker), EdgeSpeaker, "", start, end}}
		for _, a := range s.CoSpeakers {
			edges = append(edges, graphEdge{from, nodeID(NodeActor, a), EdgeSpeaker, "", start, end})
		}
		if s.DeliveredBy != "" {
			edges = append(edges, graphEdge{from, nodeID(NodeActor, s.DeliveredBy), EdgeDeliverer, "", start, end})
		}
		for _, a := range s.Addressees {
			edges = append(edges, graphEdge{from, nodeID(NodeActor, a), EdgeAddressee, "", start, end})
		}
		for _, ev := range s.About {
			if exported[ev] {
				edges = append(edges, graphEdge{from, nodeID(NodeEvent, ev), EdgeAbout, "", start, end})
			}
		}
		for _, e := range edges {
			if err := g.edge(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range ties {
		if err := g.edge(e); err != nil {
			return err
		}
	}
	return g.end()
}

// actorNodes writes the nodes of the actors touched, in key order, and of
// the countries touched (by events' locations, actors' affiliations and
// relationships), in code order. It returns the affiliation and
// relationship edges among them, to be written after the item edges.
func actorNodes(ctx context.Context, store Reader, g graphFormat, actorSet, countrySet map[string]bool) ([]graphEdge, error) {
	keys := make([]string, 0, len(actorSet))
	for k := range actorSet {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var actors []*db.Actor
	for chunk := range slices.Chunk(keys, PageSize) {
		as, err := store.ActorsByKey(ctx, chunk)
		if err != nil {
			return nil, err
		}
		actors = append(actors, as...)
	}
	slices.SortFunc(actors, func(a, b *db.Actor) int { return cmpString(a.Key, b.Key) })
	ids := make([]int64, len(actors))
	var edges []graphEdge
	for i, a := range actors {
		ids[i] = a.ID
		if a.Country != "" {
			countrySet[a.Country] = true
			edges = append(edges, graphEdge{nodeID(NodeActor, a.Key), nodeID(NodeCountry, a.Country), EdgeAffiliation, "", "", ""})
		}
	}
	seen := map[int64]bool{}
	var ties []*db.Relationship
	for chunk := range slices.Chunk(ids, PageSize) {
		rels, err := store.RelationshipsOf(ctx, chunk, nil, nil)
		if err != nil {
			return nil, err
		}
		for _, rs := range rels {
			for _, r := range rs {
				if seen[r.ID] || !actorSet[r.Subject] || (r.Object.Actor != "" && !actorSet[r.Object.Actor]) {
					continue
				}
				seen[r.ID] = true
				ties = append(ties, r)
			}
		}
	}
	// Map order is random; the export is not.
	slices.SortFunc(ties, func(a, b *db.Relationship) int { return cmpString(a.Identity(), b.Identity()) })
	for _, r := range ties {
		target := nodeID(NodeActor, r.Object.Actor)
		if r.Object.Country != "" {
			countrySet[r.Object.Country] = true
			target = nodeID(NodeCountry, r.Object.Country)
		}
		e := graphEdge{Source: nodeID(NodeActor, r.Subject), Target: target, Kind: EdgeRelationship, Role: string(r.Kind)}
		if !r.From.IsZero() {
			e.Start = timeAttr(r.From.At)
		}
		if !r.To.IsZero() {
			e.End = timeAttr(r.To.End())
		}
		edges = append(edges, e)
	}
	for _, a := range actors {
		if err := g.node(graphNode{ID: nodeID(NodeActor, a.Key), Label: a.Name, Type: NodeActor, Key: a.Key, Kind: string(a.Kind)}); err != nil {
			return nil, err
		}
	}
	codes := make([]string, 0, len(countrySet))
	for c := range countrySet {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for chunk := range slices.Chunk(codes, PageSize) {
		cs, err := store.CountriesByCode(ctx, chunk)
		if err != nil {
			return nil, err
		}
		names := map[string]string{}
		for _, c := range cs {
			names[c.Code] = c.Name
		}
		for _, code := range chunk {
			if err := g.node(graphNode{ID: nodeID(NodeCountry, code), Label: names[code], Type: NodeCountry, Key: code}); err != nil {
				return nil, err
			}
		}
	}
	return edges, nil
}

// walkEdges walks the timeline again, telling fn for each item which of
// the events its links and statements point at are exported themselves:
// an edge to an event outside the export would name a node that is not
// there.
func walkEdges(ctx context.Context, store Reader, f db.TimelineFilter, fn func(Item, map[string]bool) error) error {
	var page []Item
	flush := func() error {
		targets := map[string]bool{}
		for _, it := range page {
			if it.Event != nil {
				for _, l := range it.Event.Links {
					targets[l.Event] = true
				}
			} else {
				for _, k := range it.Statement.About {
					targets[k] = true
				}
			}
		}
		exported, err := exportedEvents(ctx, store, f, targets)
		if err != nil {
			return err
		}
		for _, it := range page {
			if err := fn(it, exported); err != nil {
				return err
			}
		}
		page = page[:0]
		return nil
	}
	err := Walk(ctx, store, f, db.Ascending, func(it Item) error {
		page = append(page, it)
		if len(page) == PageSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// exportedEvents returns which of these event keys the filter keeps.
func exportedEvents(ctx context.Context, store Reader, f db.TimelineFilter, keys map[string]bool) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	events, err := store.EventsByKey(ctx, list)
	if err != nil {
		return nil, err
	}
	ids := make([]db.ItemID, len(events))
	for i, e := range events {
		ids[i] = db.ItemID{Kind: db.ItemEvent, ID: e.ID}
	}
	match, err := store.MatchTimeline(ctx, f, ids)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if match[db.ItemID{Kind: db.ItemEvent, ID: e.ID}] {
			out[e.Key] = true
		}
	}
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// GEXF 1.3 (https://gexf.net): a dynamic graph whose times are dateTime,
// so that Gephi's timeline plays the items and ties in and out.

type gexfValue struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

type gexfNode struct {
	XMLName xml.Name    `xml:"node"`
	ID      string      `xml:"id,attr"`
	Label   string      `xml:"label,attr"`
	Start   string      `xml:"start,attr,omitempty"`
	End     string      `xml:"end,attr,omitempty"`
	Values  []gexfValue `xml:"attvalues>attvalue"`
}

type gexfEdge struct {
	XMLName xml.Name    `xml:"edge"`
	ID      string      `xml:"id,attr"`
	Source  string      `xml:"source,attr"`
	Target  string      `xml:"target,attr"`
	Label   string      `xml:"label,attr"`
	Start   string      `xml:"start,attr,omitempty"`
	End     string      `xml:"end,attr,omitempty"`
	Values  []gexfValue `xml:"attvalues>attvalue"`
}

type gexfWriter struct {
	w     *bufio.Writer
	enc   *xml.Encoder
	edgeN int
}

const gexfHead = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">
<meta><creator>geotimeline</creator></meta>
<graph mode="dynamic" defaultedgetype="directed" timeformat="dateTime">
<attributes class="node" mode="static">
<attribute id="type" title="type" type="string"/>
<attribute id="key" title="key" type="string"/>
<attribute id="kind" title="kind" type="string"/>
</attributes>
<attributes class="edge" mode="static">
<attribute id="kind" title="kind" type="string"/>
<attribute id="role" title="role" type="string"/>
</attributes>
<nodes>
`

func (g *gexfWriter) begin() error {
	_, err := g.w.WriteString(gexfHead)
	return err
}

func (g *gexfWriter) node(n graphNode) error {
	vals := []gexfValue{{"type", n.Type}, {"key", n.Key}}
	if n.Kind != "" {
		vals = append(vals, gexfValue{"kind", n.Kind})
	}
	return g.encode(gexfNode{ID: n.ID, Label: n.Label, Start: n.Start, End: n.End, Values: vals})
}

func (g *gexfWriter) edges() error {
	_, err := g.w.WriteString("</nodes>\n<edges>\n")
	return err
}

func (g *gexfWriter) edge(e graphEdge) error {
	g.edgeN++
	vals := []gexfValue{{"kind", e.Kind}}
	label := e.Kind
	if e.Role != "" {
		vals = append(vals, gexfValue{"role", e.Role})
		label = e.Role
	}
	return g.encode(gexfEdge{ID: fmt.Sprintf("e%d", g.edgeN), Source: e.Source, Target: e.Target, Label: label,
		Start: e.Start, End: e.End, Values: vals})
}

func (g *gexfWriter) encode(v any) error {
	if err := g.enc.Encode(v); err != nil {
		return fmt.Errorf("encode gexf: %w", err)
	}
	_, err := g.w.WriteString("\n")
	return err
}

func (g *gexfWriter) end() error {
	if _, err := g.w.WriteString("</edges>\n</graph>\n</gexf>\n"); err != nil {
		return err
	}
	return g.w.Flush()
}

// GraphML (http://graphml.graphdrawing.org): the same nodes and edges, with
// start and end as string data, which Gephi's import reads as time.

type graphmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

type graphmlNode struct {
	XMLName xml.Name      `xml:"node"`
	ID      string        `xml:"id,attr"`
	Data    []graphmlData `xml:"data"`
}

type graphmlEdge struct {
	XMLName xml.Name      `xml:"edge"`
	ID      string        `xml:"id,attr"`
	Source  string        `xml:"source,attr"`
	Target  string        `xml:"target,attr"`
	Data    []graphmlData `xml:"data"`
}

type graphmlWriter struct {
	w     *bufio.Writer
	enc   *xml.Encoder
	edgeN int
}

const graphmlHead = `<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
<key id="label" for="node" attr.name="label" attr.type="string"/>
<key id="type" for="node" attr.name="type" attr.type="string"/>
<key id="key" for="node" attr.name="key" attr.type="string"/>
<key id="kind" for="node" attr.name="kind" attr.type="string"/>
<key id="edgekind" for="edge" attr.name="kind" attr.type="string"/>
<key id="role" for="edge" attr.name="role" attr.type="string"/>
<key id="start" for="all" attr.name="start" attr.type="string"/>
<key id="end" for="all" attr.name="end" attr.type="string"/>
<graph id="geotimeline" edgedefault="directed">
`

func (g *graphmlWriter) begin() error {
	_, err := g.w.WriteString(graphmlHead)
	return err
}

func (g *graphmlWriter) node(n graphNode) error {
	data := []graphmlData{{"label", n.Label}, {"type", n.Type}, {"key", n.Key}}
	if n.Kind != "" {
		data = append(data, graphmlData{"kind", n.Kind})
	}
	return g.encode(graphmlNode{ID: n.ID, Data: withTimes(data, n.Start, n.End)})
}

func (g *graphmlWriter) edges() error { return nil }

func (g *graphmlWriter) edge(e graphEdge) error {
	g.edgeN++
	data := []graphmlData{{"edgekind", e.Kind}}
	if e.Role != "" {
		data = append(data, graphmlData{"role", e.Role})
	}
	return g.encode(graphmlEdge{ID: fmt.Sprintf("e%d", g.edgeN), Source: e.Source, Target: e.Target, Data: withTimes(data, e.Start, e.End)})
}

func withTimes(data []graphmlData, start, end string) []graphmlData {
	if start != "" {
		data = append(data, graphmlData{"start", start})
	}
	if end != "" {
		data = append(data, graphmlData{"end", end})
	}
	return data
}

func (g *graphmlWriter) encode(v any) error {
	if err := g.enc.Encode(v); err != nil {
		return fmt.Errorf("encode graphml: %w", err)
	}
	_, err := g.w.WriteString("\n")
	return err
}

func (g *graphmlWriter) end() error {
	if _, err := g.w.WriteString("</graph>\n</graphml>\n"); err != nil {
		return err
	}
	return g.w.Flush()
}
