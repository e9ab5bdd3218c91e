package browsertest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// busiestActor asks the API which actor takes part in the most events.
func busiestActor(s *site) (key, id string) {
	s.t.Helper()
	key = busiestActors(s, 1)[0]
	return key, actorID(s, key)
}

func actorID(s *site, key string) string {
	s.t.Helper()
	var a struct {
		Actor struct {
			ID string `json:"id"`
		} `json:"actor"`
	}
	if err := json.Unmarshal(s.graphql(`query($k: String!) { actor(key: $k) { id } }`, map[string]any{"k": key}), &a); err != nil || a.Actor.ID == "" {
		s.t.Fatalf("actor %s: %v", key, err)
	}
	return a.Actor.ID
}

// apiNeighborhood is the sorted node IDs of a neighbourhood.
func apiNeighborhood(s *site, id string, depth, limit int, filter map[string]any) []string {
	s.t.Helper()
	var r struct {
		Neighborhood struct {
			Nodes []struct {
				ID string `json:"id"`
			} `json:"nodes"`
		} `json:"neighborhood"`
	}
	data := s.graphql(`query($id: ID!, $d: Int!, $l: Int!, $f: GraphFilter) { neighborhood(id: $id, depth: $d, limit: $l, filter: $f) {
		nodes { ... on Node { id } } } }`, map[string]any{"id": id, "d": depth, "l": limit, "f": filter})
	if err := json.Unmarshal(data, &r); err != nil {
		s.t.Fatal(err)
	}
	var ids []string
	for _, n := range r.Neighborhood.Nodes {
		ids = append(ids, n.ID)
	}
	slices.Sort(ids)
	return ids
}

// shownNodes is the sorted IDs of the nodes the network draws.
func (s *site) shownNodes() []string {
	s.t.Helper()
	var ids []string
	s.eval(`window.dashboard.cy.nodes(':visible').map(n => n.id()).sort()`, &ids)
	sort.Strings(ids)
	return ids
}

// waitNetwork waits until the network has been laid out more than `after`
// times and the page is idle.
func (s *site) waitNetwork(what string, after int) int {
	s.t.Helper()
	s.waitJS(what, fmt.Sprintf(`document.body.dataset.state === 'ready' && document.getElementById('network').dataset.layout === 'done' &&
		Number(document.getElementById('network').dataset.layouts || 0) > %d`, after))
	var n int
	s.eval(`Number(document.getElementById('network').dataset.layouts)`, &n)
	return n
}

// labelBox is a label's box in the graph's coordinates.
type labelBox struct {
	ID             string
	X1, Y1, X2, Y2 float64
}

// visibleLabels is the boxes of the labels drawn, of nodes and edges (not
// hidden, not transparent, not empty), measured by Cytoscape.
func (s *site) visibleLabels() []labelBox {
	s.t.Helper()
	var boxes []labelBox
	s.eval(`window.dashboard.cy.elements(':visible').filter(n => n.pstyle('label').strValue !== '' && Number(n.pstyle('text-opacity').value) > 0)
		.map(n => { const b = n.boundingBox({includeLabels: true, includeNodes: false, includeEdges: false, includeOverlays: false});
			return {ID: n.id(), X1: b.x1, Y1: b.y1, X2: b.x2, Y2: b.y2}; })`, &boxes)
	return boxes
}

func checkNoOverlap(t *testing.T, boxes []labelBox) {
	t.Helper()
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			if a.X1 < b.X2 && b.X1 < a.X2 && a.Y1 < b.Y2 && b.Y1 < a.Y2 {
				t.Errorf("labels overlap: %+v and %+v", a, b)
			}
		}
	}
}

// The busiest actor of the real samples, its neighbourhood of 200 nodes
// laid out: the nodes are the API's, no two labels drawn overlap, the most
// connected are labelled, and zooming in labels more without overlaps.
func TestNetworkReadableAt200(t *testing.T) {
	s := openRealData(t)
	key, id := busiestActor(s)
	openDashboard(s, "#center="+id)
	layouts := s.waitNetwork("the network of "+key, 0)
	// The first view asks for 100 nodes; the Nodes control for 200, kept
	// in the URL.
	if got, want := s.shownNodes(), apiNeighborhood(s, id, 1, 100, nil); len(want) != 100 || !slices.Equal(got, want) {
		t.Errorf("the first view shows %d nodes, the API's neighbourhood of 100 has %d", len(got), len(want))
	}
	s.eval(`(() => { const n = document.getElementById('net-nodes'); n.value = '200';
		n.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, nil)
	s.waitNetwork("the network of 200 nodes", layouts)
	var hash string
	s.eval(`location.hash`, &hash)
	if !strings.Contains(hash, "nodes=200") {
		t.Errorf("the URL's hash %q does not keep the 200 nodes", hash)
	}
	want := apiNeighborhood(s, id, 1, 200, nil)
	if len(want) != 200 {
		t.Fatalf("the neighbourhood of the busiest actor %s has %d nodes, want 200 for this test", key, len(want))
	}
	if got := s.shownNodes(); !slices.Equal(got, want) {
		t.Errorf("the network shows %d nodes, the API's neighbourhood has %d", len(got), len(want))
	}
	boxes := s.visibleLabels()
	checkNoOverlap(t, boxes)
	if len(boxes) < 8 {
		t.Errorf("only %d labels drawn of 200 nodes", len(boxes))
	}
	if !slices.ContainsFunc(boxes, func(b labelBox) bool { return b.ID == id }) {
		t.Errorf("the centre %s is not labelled", key)
	}
	var took struct{ Layout, Labels string }
	s.eval(`({Layout: document.getElementById('network').dataset.layoutMs, Labels: document.getElementById('network').dataset.labelMs})`, &took)
	t.Logf("200 nodes: the layout took %s ms, placing the labels %s ms; %d labels drawn", took.Layout, took.Labels, len(boxes))
	s.screenshot("network-200")

	// Zoomed in, labels keep their size on screen (so more of them fit
	// between the nodes) and are placed again, still without overlaps.
	var zoom float64
	s.eval(`(() => { const cy = window.dashboard.cy; cy.zoom({level: cy.zoom() * 3, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}}); return cy.zoom(); })()`, &zoom)
	s.waitJS("the labels placed again", fmt.Sprintf(`Number(document.getElementById('network').dataset.labelZoom) === %v`, zoom))
	zoomed := s.visibleLabels()
	checkNoOverlap(t, zoomed)
	var px float64
	s.eval(fmt.Sprintf(`parseFloat(window.dashboard.cy.getElementById(%q).pstyle('font-size').strValue) * window.dashboard.cy.zoom()`, id), &px)
	if len(zoomed) == 0 || px < 11.9 || px > 12.1 {
		t.Errorf("zoomed in: %d labels, %.1f px on screen; want some, at 12 px", len(zoomed), px)
	}
	s.screenshot("network-200-zoomed")

	// Two hops from Pakistan: actors that share events, the edges between
	// them weighted by how many, the weights labelled where they fit.
	pak := actorID(s, "pakistan")
	s.run("two hops from Pakistan", chromedp.Navigate(s.base+"/dashboard#center="+pak+"&depth=2&nodes=200"))
	s.waitJS("Pakistan's network", fmt.Sprintf(`document.getElementById('network').dataset.center === %q && document.getElementById('net-depth').value === '2' &&
		document.getElementById('network').dataset.layout === 'done' && document.body.dataset.state === 'ready'`, pak))
	var sub struct {
		Neighborhood apiSubgraph `json:"neighborhood"`
	}
	json.Unmarshal(s.graphql(`query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 200) {
		nodes { __typename ... on Node { id } } edges { kind role at from { id } to { id } } } }`, map[string]any{"id": pak}), &sub)
	in := map[string]bool{}
	for _, n := range sub.Neighborhood.Nodes {
		in[n.ID] = true
	}
	if got, want := s.shownNodes(), slices.Sorted(maps.Keys(in)); !slices.Equal(got, want) {
		t.Errorf("two hops from Pakistan the network shows %d nodes, the API %d", len(got), len(want))
	}
	s.checkShared(sub.Neighborhood.Edges, in)
	boxes = s.visibleLabels()
	checkNoOverlap(t, boxes)
	var edgeLabels int
	s.eval(`Number(document.getElementById('network').dataset.edgeLabels)`, &edgeLabels)
	if edgeLabels == 0 {
		t.Errorf("no shared-event weight labelled (%d labels)", len(boxes))
	}
	s.screenshot("network-depth-2")

	// Actors only: the events fold into the weighted edges.
	s.eval(`Number(document.getElementById('network').dataset.layouts)`, &layouts)
	s.press(`#net-fold`)
	s.run("tick it", chromedp.KeyEvent(" "))
	s.waitNetwork("the actors only", layouts)
	var wantActors []string
	for _, n := range sub.Neighborhood.Nodes {
		if n.Typename != "Event" {
			wantActors = append(wantActors, n.ID)
		}
	}
	slices.Sort(wantActors)
	if got := s.shownNodes(); !slices.Equal(got, wantActors) {
		t.Errorf("actors only: the network shows %d nodes, want the %d that are not events", len(got), len(wantActors))
	}
	s.checkShared(sub.Neighborhood.Edges, in)
	checkNoOverlap(t, s.visibleLabels())
	s.screenshot("network-actors-only")
}

type apiEdge struct {
	Kind string  `json:"kind"`
	Role *string `json:"role"`
	At   *string `json:"at"`
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	To struct {
		ID string `json:"id"`
	} `json:"to"`
}

type apiSubgraph struct {
	Nodes []struct {
		Typename string `json:"__typename"`
		ID       string `json:"id"`
	} `json:"nodes"`
	Edges []apiEdge `json:"edges"`
}

func apiSub(s *site, id string, limit int, filter map[string]any) apiSubgraph {
	s.t.Helper()
	var r struct {
		Neighborhood apiSubgraph `json:"neighborhood"`
	}
	data := s.graphql(`query($id: ID!, $l: Int!, $f: GraphFilter) { neighborhood(id: $id, depth: 1, limit: $l, filter: $f) {
		nodes { __typename ... on Node { id } } edges { kind role at from { id } to { id } } } }`, map[string]any{"id": id, "l": limit, "f": filter})
	if err := json.Unmarshal(data, &r); err != nil {
		s.t.Fatal(err)
	}
	return r.Neighborhood
}

// press focuses a button of the network's list and presses Enter on it,
// the keyboard path.
func (s *site) press(selector string) {
	s.t.Helper()
	var ok bool
	s.eval(fmt.Sprintf(`(() => { const b = document.querySelector(%q); if (!b) return false; b.focus(); return document.activeElement === b; })()`, selector), &ok)
	if !ok {
		s.t.Fatalf("no button %s to focus", selector)
	}
	s.run("press Enter on "+selector, chromedp.KeyEvent(kb.Enter))
}

type actorPair struct{ A, B string }

// checkShared compares the network's shared-event edges with the pairs of
// actors taking part in the same events, counted from the API's edges
// among the nodes in `in`.
func (s *site) checkShared(edges []apiEdge, in map[string]bool) {
	s.t.Helper()
	byEvent := map[string]map[string]bool{}
	for _, e := range edges {
		if e.Kind != "PARTICIPATION" || !in[e.From.ID] || !in[e.To.ID] {
			continue
		}
		if byEvent[e.To.ID] == nil {
			byEvent[e.To.ID] = map[string]bool{}
		}
		byEvent[e.To.ID][e.From.ID] = true
	}
	want := map[actorPair]int{}
	for _, actors := range byEvent {
		list := slices.Sorted(maps.Keys(actors))
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				want[actorPair{list[i], list[j]}]++
			}
		}
	}
	var shared []struct {
		A, B string
		N    int
	}
	s.eval(`window.dashboard.cy.edges('.shared').map(e => ({A: e.source().id(), B: e.target().id(), N: e.data('weight')}))`, &shared)
	got := map[actorPair]int{}
	for _, e := range shared {
		got[actorPair{e.A, e.B}] = e.N
	}
	if len(want) == 0 || !maps.Equal(got, want) {
		s.t.Errorf("shared-event edges %v, want %v", got, want)
	}
}

type position struct{ X, Y float64 }

func (s *site) nodePosition(id string) position {
	s.t.Helper()
	var p position
	s.eval(fmt.Sprintf(`(() => { const p = window.dashboard.cy.getElementById(%q).position(); return {X: p.x, Y: p.y}; })()`, id), &p)
	return p
}

// A click on a node adds its neighbourhood to the network (the centre
// stays), and actors that now share events are joined by an edge weighted
// by how many; from the list, the keyboard expands, pins (the node keeps
// its place while the rest is laid out again) and hides nodes.
func TestNetworkExpandHidePin(t *testing.T) {
	s := openRealData(t)
	key, id := busiestActor(s)
	openDashboard(s, "#nodes=200&center="+id)
	layouts := s.waitNetwork("the network of "+key, 0)
	full := apiSub(s, id, 200, nil)

	// An event of the centre's with other participants.
	var event string
	var eventSub apiSubgraph
	for _, n := range full.Nodes {
		if n.Typename != "Event" {
			continue
		}
		sub := apiSub(s, n.ID, 60, nil)
		actors := 0
		for _, m := range sub.Nodes {
			if m.Typename == "Actor" {
				actors++
			}
		}
		if actors >= 2 {
			event, eventSub = n.ID, sub
			break
		}
	}
	if event == "" {
		t.Fatalf("no event of %s has two actors", key)
	}
	var target position
	s.eval(fmt.Sprintf(`(() => { const cy = window.dashboard.cy, n = cy.getElementById(%q);
		cy.zoom({level: 2.5, position: n.position()}); cy.center(n);
		const box = cy.container().getBoundingClientRect(), p = n.renderedPosition();
		return {X: box.left + p.x, Y: box.top + p.y}; })()`, event), &target)
	s.run("click the event", chromedp.MouseClickXY(target.X, target.Y))
	layouts = s.waitNetwork("the expanded network", layouts)

	want := map[string]bool{}
	for _, n := range full.Nodes {
		want[n.ID] = true
	}
	for _, n := range eventSub.Nodes {
		want[n.ID] = true
	}
	wantIDs := slices.Sorted(maps.Keys(want))
	if got := s.shownNodes(); !slices.Equal(got, wantIDs) {
		t.Errorf("after expanding %s the network shows %d nodes, want the %d of both neighbourhoods", event, len(got), len(wantIDs))
	}
	var center string
	s.eval(`document.getElementById('network').dataset.center`, &center)
	if center != id {
		t.Errorf("expanding moved the centre to %s", center)
	}

	s.checkShared(append(slices.Clone(full.Edges), eventSub.Edges...), want)
	s.screenshot("network-expanded")

	// Pin the centre's first listed neighbour, expand another node from
	// the keyboard: the pinned node stays, the others move.
	// Both of the centre's neighbourhood, which a link loads again.
	var pinned, other string
	ofCentre := make([]string, 0, len(full.Nodes))
	for _, n := range full.Nodes {
		ofCentre = append(ofCentre, n.ID)
	}
	ofCentreJSON, err := json.Marshal(ofCentre)
	if err != nil {
		t.Fatal(err)
	}
	listed := fmt.Sprintf(`(n) => [...document.querySelectorAll('#neighbors li[data-id]')].map(li => li.dataset.id).filter(id => %s.includes(id))[n]`,
		ofCentreJSON)
	s.eval(`(`+listed+`)(1)`, &pinned)
	s.eval(`[...document.querySelectorAll('#neighbors li[data-id]')].map(li => li.querySelector('.n-expand')).filter(b => !b.disabled)[0].closest('li').dataset.id`, &other)
	s.press(fmt.Sprintf(`#neighbors li[data-id=%q] .n-pin`, pinned))
	s.waitJS("the pin", fmt.Sprintf(`window.dashboard.cy.getElementById(%q).hasClass('pinned') &&
		document.querySelector('#neighbors li[data-id=%q] .n-pin').getAttribute('aria-pressed') === 'true'`, pinned, pinned))
	var focused string
	s.eval(`(() => { const a = document.activeElement; return a.classList.contains('n-pin') ? a.closest('li').dataset.id : ''; })()`, &focused)
	if focused != pinned {
		t.Errorf("after pinning, the focus is not on the pin button of %s (on %q)", pinned, focused)
	}
	before := s.nodePosition(pinned)
	var positions map[string]position
	s.eval(`Object.fromEntries(window.dashboard.cy.nodes().map(n => [n.id(), {X: n.position().x, Y: n.position().y}]))`, &positions)
	s.press(fmt.Sprintf(`#neighbors li[data-id=%q] .n-expand`, other))
	layouts = s.waitNetwork("the network expanded from the keyboard", layouts)
	if after := s.nodePosition(pinned); after != before {
		t.Errorf("the pinned node moved from %v to %v", before, after)
	}
	moved := 0
	for nid, p := range positions {
		if nid != pinned && s.nodePosition(nid) != p {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no node moved in the new layout")
	}

	// Hide a node: it leaves the canvas and the list, and stays hidden
	// through a layout; "show hidden" brings it back.
	var hidden string
	s.eval(`(`+listed+`)(2)`, &hidden)
	s.press(fmt.Sprintf(`#neighbors li[data-id=%q] .n-hide`, hidden))
	layouts = s.waitNetwork("the layout without the hidden node", layouts)
	var state struct {
		Visible, Listed bool
		Count           string
	}
	read := fmt.Sprintf(`({Visible: window.dashboard.cy.getElementById(%q).visible(), Listed: !!document.querySelector('#neighbors li[data-id=%q]'),
		Count: document.getElementById('net-hidden-wrap').hidden ? '' : document.getElementById('net-hidden-count').textContent})`, hidden, hidden)
	s.eval(read, &state)
	if state.Visible || state.Listed || state.Count != "1" {
		t.Errorf("after hiding %s: %+v, want it off the canvas and the list, 1 hidden", hidden, state)
	}
	var onHide bool
	s.eval(`document.activeElement.classList.contains('n-hide')`, &onHide)
	if !onHide {
		t.Error("after hiding, the focus is not on the next row's hide button")
	}
	s.run("move the pointer off the canvas", chromedp.MouseEvent(input.MouseMoved, 1, 1))
	checkNoOverlap(t, s.visibleLabels())
	// The URL keeps the hidden, the pinned and the expanded (hide=, pin=,
	// expand=, the expansions in their order): loaded afresh, it shows the
	// same nodes, the same one hidden and the same pinned.
	var hash string
	s.eval(`location.hash`, &hash)
	if !strings.Contains(hash, "&hide="+hidden) || !strings.Contains(hash, "&pin="+pinned) ||
		!strings.Contains(hash, "&expand="+event+","+other) {
		t.Errorf("with %s hidden, %s pinned and %s and %s expanded the URL is %q, want hide=, pin= and expand= of them",
			hidden, pinned, event, other, hash)
	}
	shown := s.shownNodes()
	s.run("a blank page", chromedp.Navigate("about:blank"))
	s.run("the URL with the hidden and the pinned", chromedp.Navigate(s.base+"/dashboard"+hash))
	layouts = s.waitNetwork("the network from the URL", 0)
	var marks struct {
		Visible, Listed, Pinned, Pressed bool
		Count                            string
	}
	readMarks := fmt.Sprintf(`(() => { const cy = window.dashboard.cy, pin = document.querySelector('#neighbors li[data-id=%[2]q] .n-pin');
		return {Visible: cy.getElementById(%[1]q).visible(), Listed: !!document.querySelector('#neighbors li[data-id=%[1]q]'),
		Count: document.getElementById('net-hidden-wrap').hidden ? '' : document.getElementById('net-hidden-count').textContent,
		Pinned: cy.getElementById(%[2]q).hasClass('pinned'), Pressed: !!pin && pin.getAttribute('aria-pressed') === 'true'}; })()`, hidden, pinned)
	s.eval(readMarks, &marks)
	if marks.Visible || marks.Listed || marks.Count != "1" || !marks.Pinned || !marks.Pressed {
		t.Errorf("from the URL: %+v, want %s off the canvas and the list (1 hidden) and %s pinned", marks, hidden, pinned)
	}
	if got := s.shownNodes(); !slices.Equal(got, shown) {
		t.Errorf("from the URL the network shows %d nodes, want the %d shown before: the centre's and the expansions' neighbourhoods less the hidden one",
			len(got), len(shown))
	}
	var expanded []string
	s.eval(`window.dashboard.cy.nodes('.expanded').map(n => n.id()).sort()`, &expanded)
	if want := slices.Sorted(slices.Values([]string{event, other})); !slices.Equal(expanded, want) {
		t.Errorf("from the URL the expanded nodes are %v, want %v", expanded, want)
	}
	before = s.nodePosition(pinned)
	s.press(`#net-unhide`)
	s.waitNetwork("the layout with the node back", layouts)
	s.eval(read, &state)
	if !state.Visible || !state.Listed || state.Count != "" {
		t.Errorf("after showing the hidden: %+v", state)
	}
	if after := s.nodePosition(pinned); after != before {
		t.Errorf("the pinned node moved from %v to %v", before, after)
	}
	s.eval(`location.hash`, &hash)
	if strings.Contains(hash, "hide=") || !strings.Contains(hash, "&pin="+pinned) || !strings.Contains(hash, "&expand="+event+","+other) {
		t.Errorf("with the hidden shown again the URL is %q, want no hide=, and pin= and expand= still", hash)
	}

	// IDs the network does not have hide, pin and expand nothing, and
	// leave the URL.
	s.run("a blank page", chromedp.Navigate("about:blank"))
	s.run("the URL with unknown nodes", chromedp.Navigate(s.base+"/dashboard#nodes=200&center="+id+"&hide=Tm9uZTox&pin=Tm9uZToy&expand=Tm9uZToz"))
	s.waitNetwork("the network with unknown nodes in the URL", 0)
	var unknown struct {
		Hash      string
		Pinned    int
		HiddenOff bool
	}
	s.eval(`({Hash: location.hash, Pinned: window.dashboard.cy.nodes('.pinned').length,
		HiddenOff: document.getElementById('net-hidden-wrap').hidden})`, &unknown)
	if strings.Contains(unknown.Hash, "hide=") || strings.Contains(unknown.Hash, "pin=") || strings.Contains(unknown.Hash, "expand=") ||
		unknown.Pinned != 0 || !unknown.HiddenOff {
		t.Errorf("with unknown nodes in the URL: %+v, want no hide=, pin= or expand=, nothing pinned or hidden", unknown)
	}
	if got, want := len(s.shownNodes()), len(full.Nodes); got != want {
		t.Errorf("with unknown nodes in the URL the network shows %d nodes, want %d", got, want)
	}

	// The name button re-centres.
	s.press(fmt.Sprintf(`#neighbors li[data-id=%q] .neighbor`, other))
	s.waitJS("the re-centred network", fmt.Sprintf(`document.getElementById('network').dataset.center === %q`, other))
	s.waitNetwork("the re-centred network", 0)
	if got, want := s.shownNodes(), apiNeighborhood(s, other, 1, 200, nil); !slices.Equal(got, want) {
		t.Errorf("re-centred on %s the network shows %v, the API %v", other, got, want)
	}
}

// The "as of" slider shows the network as of a day: the nodes are the
// API's neighbourhood with the same window (GraphFilter.to the next day).
func TestNetworkTimeSlider(t *testing.T) {
	s := openRealData(t)
	key, id := busiestActor(s)
	openDashboard(s, "#nodes=200&center="+id)
	layouts := s.waitNetwork("the network of "+key, 0)
	full := apiSub(s, id, 200, nil)
	var times []string
	for _, e := range full.Edges {
		if e.At != nil {
			times = append(times, (*e.At)[:10])
		}
	}
	slices.Sort(times)
	// A day that splits the centre's edges: the last before the last.
	day := ""
	for _, d := range times {
		if d < times[len(times)-1] {
			day = d
		}
	}
	if day == "" {
		t.Fatalf("the edges of %s are all on one day", key)
	}

	var start string
	s.eval(`document.getElementById('net-time').dataset.start`, &start)
	from, err := time.Parse(time.DateOnly, start)
	if err != nil {
		t.Fatalf("the slider starts at %q: %v", start, err)
	}
	to, _ := time.Parse(time.DateOnly, day)
	steps := int(to.Sub(from).Hours() / 24)
	s.eval(fmt.Sprintf(`(() => { const i = document.getElementById('net-time'); i.focus(); i.value = '%d';
		i.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, steps), nil)
	layouts = s.waitNetwork("the network as of "+day, layouts)
	var shown struct{ Out, To string }
	s.eval(`({Out: document.getElementById('net-time-out').textContent, To: document.getElementById('net-time-out').dataset.to})`, &shown)
	next := to.AddDate(0, 0, 1).Format(time.DateOnly)
	if shown.Out != day || shown.To != next {
		t.Errorf("the slider says %+v, want %s (to %s)", shown, day, next)
	}
	got := s.shownNodes()
	if want := apiNeighborhood(s, id, 1, 200, map[string]any{"to": next}); !slices.Equal(got, want) {
		t.Errorf("as of %s the network shows %d nodes, the API's neighbourhood with to=%s has %d", day, len(got), next, len(want))
	}
	if slices.Equal(got, apiNeighborhood(s, id, 1, 200, nil)) {
		t.Errorf("as of %s the network is the whole neighbourhood", day)
	}
	s.screenshot("network-as-of")
	var hash string
	s.eval(`location.hash`, &hash)
	if !strings.Contains(hash, "&asof="+day) {
		t.Errorf("as of %s the URL is %q, want asof=%s in it", day, hash, day)
	}

	// The URL shows the network as of its day, loaded afresh.
	s.run("a blank page", chromedp.Navigate("about:blank"))
	s.run("the URL as of "+day, chromedp.Navigate(s.base+"/dashboard"+hash))
	layouts = s.waitNetwork("the network from the URL as of "+day, 0)
	s.eval(`({Out: document.getElementById('net-time-out').textContent, To: document.getElementById('net-time-out').dataset.to})`, &shown)
	if shown.Out != day || shown.To != next {
		t.Errorf("from the URL the slider says %+v, want %s (to %s)", shown, day, next)
	}
	if got := s.shownNodes(); !slices.Equal(got, apiNeighborhood(s, id, 1, 200, map[string]any{"to": next})) {
		t.Errorf("from the URL as of %s the network shows %d nodes, not the API's neighbourhood with to=%s", day, len(got), next)
	}

	s.press(`#net-time-all`)
	layouts = s.waitNetwork("all dates again", layouts)
	if got, want := s.shownNodes(), apiNeighborhood(s, id, 1, 200, nil); !slices.Equal(got, want) {
		t.Errorf("at all dates the network shows %d nodes, the API %d", len(got), len(want))
	}
	s.eval(`location.hash`, &hash)
	if strings.Contains(hash, "asof=") {
		t.Errorf("at all dates the URL is %q, want no asof", hash)
	}

	// A day outside the slider's range is all dates, and leaves the URL.
	s.run("a blank page", chromedp.Navigate("about:blank"))
	s.run("the URL as of 1900", chromedp.Navigate(s.base+"/dashboard#nodes=200&center="+id+"&asof=1900-01-01"))
	layouts = s.waitNetwork("the network from the URL as of 1900", 0)
	s.eval(`document.getElementById('net-time-out').textContent`, &shown.Out)
	s.eval(`location.hash`, &hash)
	if shown.Out != "all dates" || strings.Contains(hash, "asof=") {
		t.Errorf("as of 1900 (before every edge) the slider says %q and the URL is %q; want all dates, no asof", shown.Out, hash)
	}
	if got, want := s.shownNodes(), apiNeighborhood(s, id, 1, 200, nil); !slices.Equal(got, want) {
		t.Errorf("as of 1900 the network shows %d nodes, the API's whole neighbourhood %d", len(got), len(want))
	}

	// With a range in the filter the slider moves its end only.
	s.run("filter from the first day", chromedp.Navigate(s.base+"/dashboard#from="+times[0]+"&nodes=200&center="+id))
	layouts = s.waitNetwork("the filtered network", layouts)
	s.waitJS("the filter", `document.getElementById('f-from').value === '`+times[0]+`'`)
	s.eval(`document.getElementById('net-time').dataset.start`, &start)
	from, _ = time.Parse(time.DateOnly, start)
	steps = int(to.Sub(from).Hours() / 24)
	s.eval(fmt.Sprintf(`(() => { const i = document.getElementById('net-time'); i.value = '%d';
		i.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, steps), nil)
	s.waitNetwork("the filtered network as of "+day, layouts)
	window := map[string]any{"from": times[0], "to": next}
	if got, want := s.shownNodes(), apiNeighborhood(s, id, 1, 200, window); !slices.Equal(got, want) {
		t.Errorf("from %s as of %s the network shows %d nodes, the API's neighbourhood for %v has %d", times[0], day, len(got), window, len(want))
	}
}

type apiPath struct {
	Length int `json:"length"`
	Nodes  []struct {
		ID string `json:"id"`
	} `json:"nodes"`
}

// busiestActors is the n actors taking part in the most events, busiest
// first (ties by key).
func busiestActors(s *site, n int) []string {
	s.t.Helper()
	var r struct {
		EventCounts []struct {
			Key   *string `json:"key"`
			Count int     `json:"count"`
		} `json:"eventCounts"`
	}
	if err := json.Unmarshal(s.graphql(`{ eventCounts(interval: YEAR, groupBy: ACTOR) { key count } }`, nil), &r); err != nil {
		s.t.Fatal(err)
	}
	sum := map[string]int{}
	for _, b := range r.EventCounts {
		if b.Key != nil {
			sum[*b.Key] += b.Count
		}
	}
	keys := slices.Collect(maps.Keys(sum))
	slices.SortFunc(keys, func(a, b string) int {
		if sum[a] != sum[b] {
			return sum[b] - sum[a]
		}
		return strings.Compare(a, b)
	})
	return keys[:min(n, len(keys))]
}

// apiShortestPath is the node IDs of shortestPath's answer (nil: none).
func apiShortestPath(s *site, from, to string, chrono bool) []string {
	s.t.Helper()
	var p struct {
		ShortestPath *apiPath `json:"shortestPath"`
	}
	json.Unmarshal(s.graphql(`query($a: ID!, $b: ID!, $c: Boolean!) { shortestPath(from: $a, to: $b, maxDepth: 4, chronological: $c) {
		length nodes { ... on Node { id } } } }`, map[string]any{"a": "actor:" + from, "b": "actor:" + to, "c": chrono}), &p)
	var ids []string
	if p.ShortestPath != nil {
		for _, n := range p.ShortestPath.Nodes {
			ids = append(ids, n.ID)
		}
	}
	return ids
}

// The path tool finds the path shortestPath answers, plain and
// chronological, highlights it in the network and lists it. The two ends
// are busy actors whose chronological path differs from the plain one.
func TestNetworkPath(t *testing.T) {
	s := openRealData(t)
	top := busiestActors(s, 8)
	from, to := top[0], top[1]
pairs:
	for i, a := range top {
		for _, b := range top[i+1:] {
			if !slices.Equal(apiShortestPath(s, a, b, false), apiShortestPath(s, a, b, true)) {
				from, to = a, b
				break pairs
			}
		}
	}
	t.Logf("from %s to %s", from, to)
	id := actorID(s, from)
	openDashboard(s, "#center="+id)
	s.waitNetwork("the network of "+from, 0)
	var paths [][]string
	for _, chrono := range []bool{false, true} {
		want := apiShortestPath(s, from, to, chrono)
		paths = append(paths, want)
		s.eval(fmt.Sprintf(`(() => { document.getElementById('net-path-from').value = %q; document.getElementById('net-path-to').value = %q;
			document.getElementById('net-path-chrono').checked = %v; document.getElementById('net-path-result').dataset.state = ''; return true; })()`,
			from, to, chrono), nil)
		s.press(`#net-path-go`)
		s.waitJS("the path", `document.getElementById('net-path-result').dataset.state === 'done' && document.body.dataset.state === 'ready' &&
			document.getElementById('network').dataset.layout === 'done'`)
		var got struct {
			Path    string
			Listed  []string
			Highlit []string
			Text    string
		}
		s.eval(`(() => { const box = document.getElementById('net-path-result');
			return {Path: box.dataset.path || '', Listed: [...box.querySelectorAll('li.p-node')].map(li => li.dataset.id),
				Highlit: window.dashboard.cy.nodes('.path:visible').map(n => n.id()).sort(), Text: box.textContent}; })()`, &got)
		if strings.Join(want, " ") != got.Path || !slices.Equal(got.Listed, want) {
			t.Errorf("chronological %v: the tool shows the path %q (listed %v), shortestPath answers %v", chrono, got.Path, got.Listed, want)
		}
		if highlit := slices.Sorted(slices.Values(want)); !slices.Equal(got.Highlit, highlit) {
			t.Errorf("chronological %v: highlighted %v, want %v", chrono, got.Highlit, highlit)
		}
		if want == nil && !strings.Contains(got.Text, "No ") {
			t.Errorf("chronological %v: no path, but the tool says %q", chrono, got.Text)
		}
		t.Logf("chronological %v: %s", chrono, got.Text)
		s.screenshot(fmt.Sprintf("network-path-%v", chrono))
	}
	if slices.Equal(paths[0], paths[1]) {
		t.Logf("no pair of the %d busiest actors has a chronological path other than the plain one", len(top))
	}
}

// Same-named nodes differ by their badges (kind and country), and a
// statement is labelled by its speaker, kind and date.
func TestNetworkBadges(t *testing.T) {
	s := openRealData(t)
	var c struct {
		Country struct {
			ID string `json:"id"`
		} `json:"country"`
	}
	json.Unmarshal(s.graphql(`{ country(code: "SA") { id } }`, nil), &c)
	openDashboard(s, "#nodes=200&center="+c.Country.ID)
	s.waitNetwork("the network of Saudi Arabia", 0)
	var named []struct {
		Typename string `json:"__typename"`
		ID       string `json:"id"`
		Name     string `json:"name"`
		Kind     string `json:"kind"`
	}
	var r struct {
		Neighborhood struct {
			Nodes json.RawMessage `json:"nodes"`
		} `json:"neighborhood"`
	}
	json.Unmarshal(s.graphql(`query($id: ID!) { neighborhood(id: $id, limit: 200) { nodes { __typename
		... on Actor { id name kind } ... on Country { id name } } } }`, map[string]any{"id": c.Country.ID}), &r)
	json.Unmarshal(r.Neighborhood.Nodes, &named)
	labels := map[string]string{}
	for _, n := range named {
		if n.Name != "Saudi Arabia" {
			continue
		}
		var label string
		s.eval(fmt.Sprintf(`window.dashboard.cy.getElementById(%q).data('full')`, n.ID), &label)
		want := map[string]string{"Country": "Saudi Arabia · country SA", "Actor": "Saudi Arabia · " + map[string]string{"STATE": "state"}[n.Kind] + " SA"}[n.Typename]
		if label != want {
			t.Errorf("%s %s is labelled %q, want %q", n.Typename, n.ID, label, want)
		}
		if other, dup := labels[label]; dup {
			t.Errorf("%s and %s are both labelled %q", other, n.ID, label)
		}
		labels[label] = n.ID
	}
	if len(labels) < 2 {
		t.Errorf("want at least two nodes called Saudi Arabia in the network, got %v", labels)
	}

	// The demo's statements, by Marco Rubio.
	id := actorID(s, "marco-rubio")
	s.run("show Rubio's network", chromedp.Navigate(s.base+"/dashboard#center="+id))
	s.waitJS("Rubio's network", fmt.Sprintf(`document.getElementById('network').dataset.center === %q && document.getElementById('network').dataset.layout === 'done' && document.body.dataset.state === 'ready'`, id))
	var st struct {
		Neighborhood struct {
			Nodes []struct {
				ID        string `json:"id"`
				Kind      string `json:"sk"`
				MadeAt    string `json:"madeAt"`
				Precision string `json:"precision"`
				Speaker   *struct {
					Name string `json:"name"`
				} `json:"speaker"`
			} `json:"nodes"`
		} `json:"neighborhood"`
	}
	json.Unmarshal(s.graphql(`query($id: ID!) { neighborhood(id: $id, limit: 200) { nodes {
		... on Statement { id sk: kind madeAt precision speaker { name } } } } }`, map[string]any{"id": id}), &st)
	checked := 0
	for _, n := range st.Neighborhood.Nodes {
		if n.Speaker == nil {
			continue
		}
		at, _ := time.Parse(time.RFC3339, n.MadeAt)
		date := fmt.Sprintf("%d %s %d", at.Day(), at.Month().String()[:3], at.Year())
		switch n.Precision {
		case "MONTH":
			date = fmt.Sprintf("%s %d", at.Month().String()[:3], at.Year())
		case "YEAR":
			date = fmt.Sprint(at.Year())
		}
		kind := strings.ToLower(strings.ReplaceAll(n.Kind, "_", " "))
		if n.Kind == "OTHER" {
			kind = "statement"
		}
		want := n.Speaker.Name + " · " + kind + " · " + date
		var label string
		s.eval(fmt.Sprintf(`window.dashboard.cy.getElementById(%q).data('full')`, n.ID), &label)
		if label != want {
			t.Errorf("statement %s is labelled %q, want %q", n.ID, label, want)
		}
		checked++
	}
	if checked == 0 {
		t.Error("no statement in Rubio's network")
	}
	t.Logf("%d statements, Saudi Arabia: %v", checked, labels)
}
