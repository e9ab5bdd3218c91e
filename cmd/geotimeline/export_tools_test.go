package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"testing"
	"time"
)

// The graph exports opened in the libraries analysts open them in: GEXF in
// graphology-gexf (the parser of Gephi Lite and sigma.js), GraphML in
// NetworkX's read_graphml. Each is fetched from a served demo database, as
// the dashboard's download would be, and the tool's own reading is
// compared with what the demo holds.

// toolsRequired reports whether a missing tool fails the test rather than
// skipping it: the rule the browser tests follow, set by .ci/run.
func toolsRequired() bool { return os.Getenv("GEOTIMELINE_BROWSER_TESTS") == "require" }

func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if toolsRequired() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// download fetches path from the server into a file in dir.
func download(t *testing.T, base, path, dir, name string) string {
	t.Helper()
	res, err := (&http.Client{Timeout: 30 * time.Second}).Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	return writeFile(t, dir, name, string(body))
}

// runTool runs a tool and decodes the JSON it prints into out.
func runTool(t *testing.T, cmd *exec.Cmd, out any) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("%s printed %q: %v", cmd, stdout.String(), err)
	}
}

// readGEXF parses the file with graphology-gexf and prints what a graph
// view gets from it. graphology-gexf keeps no time (Gephi Lite shows a
// static graph), so the spell is read where Gephi's timeline reads it,
// the node's start and end under the graph's mode and timeformat, with the
// DOM parser graphology-gexf itself uses, and as a JavaScript Date.
const readGEXF = `
const fs = require('fs');
const Graph = require('graphology');
const gexf = require('graphology-gexf');
const {DOMParser} = require('@xmldom/xmldom');
const text = fs.readFileSync(process.argv[2], 'utf8');
const g = gexf.parse(Graph, text);
const doc = new DOMParser().parseFromString(text, 'application/xml');
const graph = doc.getElementsByTagName('graph')[0];
const nodes = doc.getElementsByTagName('node');
let el;
for (let i = 0; i < nodes.length; i++) {
	if (nodes[i].getAttribute('id') === 'event:pahalgam-attack') el = nodes[i];
}
const out = {nodes: g.order, edges: g.size, directed: g.type,
	mode: graph.getAttribute('mode'), timeformat: graph.getAttribute('timeformat')};
if (el) {
	out.event = g.getNodeAttributes('event:pahalgam-attack');
	out.actor = g.getNodeAttributes('actor:india');
	out.link = g.edges('event:india-retaliatory-strikes', 'event:pahalgam-attack').map(e => g.getEdgeAttributes(e));
	out.start = new Date(el.getAttribute('start')).toISOString();
	out.end = new Date(el.getAttribute('end')).toISOString();
}
console.log(JSON.stringify(out));`

func TestGEXFInGraphology(t *testing.T) {
	tools := os.Getenv("GEOTIMELINE_EXPORT_TOOLS")
	if tools == "" {
		skipOrFail(t, "GEOTIMELINE_EXPORT_TOOLS is not set: run graph/browsertest/tools/install.sh and set it to the directory it prints")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "no node on PATH (apt-get install nodejs)")
	}
	base, _ := startServe(t, map[string]string{})
	dir := t.TempDir()
	script := writeFile(t, dir, "read-gexf.js", readGEXF)
	read := func(query string) map[string]any {
		t.Helper()
		cmd := exec.Command(node, script, download(t, base, "/export/gexf"+query, dir, "demo.gexf"))
		// The script is outside the tools' folder; NODE_PATH is where
		// require looks then.
		cmd.Env = append(os.Environ(), "NODE_PATH="+tools)
		var got map[string]any
		runTool(t, cmd, &got)
		return got
	}

	want := map[string]any{
		// The demo's 6 events and 6 statements, the 12 actors they touch
		// and the 4 countries of locations, affiliations and ties.
		"nodes": 28.0, "edges": 65.0, "directed": "directed",
		"mode": "dynamic", "timeformat": "dateTime",
		"event": map[string]any{"label": "Terrorist attack in Pahalgam kills 26 tourists", "type": "EVENT", "key": "pahalgam-attack", "kind": "ATTACK"},
		"actor": map[string]any{"label": "India", "type": "ACTOR", "key": "india", "kind": "STATE"},
		"link":  []any{map[string]any{"label": "RESPONSE_TO", "kind": "LINK", "role": "RESPONSE_TO"}},
		// 2025-03-13/2025-05-07: from the first day to the end of the last.
		"start": "2025-03-13T00:00:00.000Z", "end": "2025-05-08T00:00:00.000Z",
	}
	if got := read(""); !reflect.DeepEqual(got, want) {
		t.Errorf("graphology-gexf reads\n%v\nwant\n%v", got, want)
	}
	// Rubio's 3 events and 4 statements, 6 actors, 3 countries. A
	// statement about an event left out loses that edge: graphology-gexf
	// refuses an edge to a node the file does not have.
	want = map[string]any{"nodes": 16.0, "edges": 36.0, "directed": "directed", "mode": "dynamic", "timeformat": "dateTime"}
	if got := read("?actors=marco-rubio"); !reflect.DeepEqual(got, want) {
		t.Errorf("with actors=marco-rubio graphology-gexf reads\n%v\nwant\n%v", got, want)
	}
}

// readGraphML loads the file with NetworkX and prints what an analyst's
// script gets from it.
const readGraphML = `
import json, sys
import networkx as nx
g = nx.read_graphml(sys.argv[1])
out = {"class": type(g).__name__, "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
if "event:pahalgam-attack" in g:
    out["event"] = g.nodes["event:pahalgam-attack"]
    out["actor"] = g.nodes["actor:india"]
    out["link"] = [d for _, t, d in g.out_edges("event:india-retaliatory-strikes", data=True) if t == "event:pahalgam-attack"]
print(json.dumps(out))`

func TestGraphMLInNetworkX(t *testing.T) {
	// Debian's python3-networkx, which .ci/run installs, is for Debian's
	// python3: GEOTIMELINE_PYTHON names that one when another python3 comes
	// first on PATH.
	python := os.Getenv("GEOTIMELINE_PYTHON")
	if python == "" {
		python = "python3"
	}
	if err := exec.Command(python, "-c", "import networkx").Run(); err != nil {
		skipOrFail(t, python+" cannot import networkx (apt-get install python3-networkx, or set GEOTIMELINE_PYTHON): "+err.Error())
	}
	base, _ := startServe(t, map[string]string{})
	dir := t.TempDir()
	read := func(query string) map[string]any {
		t.Helper()
		var got map[string]any
		runTool(t, exec.Command(python, "-c", readGraphML, download(t, base, "/export/graphml"+query, dir, "demo.graphml")), &got)
		return got
	}

	want := map[string]any{
		// Parallel edges (an affiliation and a position held in the same
		// country) make it a multigraph.
		"class": "MultiDiGraph",
		"nodes": 28.0, "edges": 65.0,
		"event": map[string]any{"label": "Terrorist attack in Pahalgam kills 26 tourists", "type": "EVENT", "key": "pahalgam-attack", "kind": "ATTACK",
			"start": "2025-03-13T00:00:00Z", "end": "2025-05-08T00:00:00Z"},
		"actor": map[string]any{"label": "India", "type": "ACTOR", "key": "india", "kind": "STATE"},
		"link": []any{map[string]any{"kind": "LINK", "role": "RESPONSE_TO",
			"start": "2025-03-13T00:00:00Z", "end": "2025-05-09T00:00:00Z"}},
	}
	if got := read(""); !reflect.DeepEqual(got, want) {
		t.Errorf("NetworkX reads\n%v\nwant\n%v", got, want)
	}
	// NetworkX, unlike graphology-gexf, would add a node an edge names
	// without declaring it: the count shows there is none.
	want = map[string]any{"class": "MultiDiGraph", "nodes": 16.0, "edges": 36.0}
	if got := read("?actors=marco-rubio"); !reflect.DeepEqual(got, want) {
		t.Errorf("with actors=marco-rubio NetworkX reads\n%v\nwant\n%v", got, want)
	}
}
