#!/usr/bin/env bash
# Rebuilds static/vendor, the third-party browser code the binary embeds,
# from the exact npm versions in package-lock.json. Nothing is bundled or
# minified here: each file is a package's own prebuilt browser build, copied
# as published, so a run on any machine writes the same bytes and CI checks
# that the committed copies match (git diff after running this script).
#
# To upgrade a package: change its version in package.json, run
# `npm install --package-lock-only --ignore-scripts` here, then this script,
# and commit all three.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp package.json package-lock.json "$tmp/"
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
nm="$tmp/node_modules"

out=static/vendor
rm -rf "$out"
mkdir -p "$out/licenses"

# package  file-in-package  name-in-vendor
while read -r pkg file name; do
	cp "$nm/$pkg/$file" "$out/$name"
done <<'LIST'
react             umd/react.production.min.js            react.production.min.js
react-dom         umd/react-dom.production.min.js        react-dom.production.min.js
graphiql          graphiql.min.js                        graphiql.min.js
graphiql          graphiql.min.css                       graphiql.min.css
graphql-ws        umd/graphql-ws.min.js                  graphql-ws.min.js
cytoscape         dist/cytoscape.min.js                  cytoscape.min.js
layout-base       layout-base.js                         layout-base.js
cose-base         cose-base.js                           cose-base.js
cytoscape-fcose   cytoscape-fcose.js                     cytoscape-fcose.js
leaflet           dist/leaflet.js                        leaflet.js
leaflet           dist/leaflet.css                       leaflet.css
leaflet.markercluster dist/leaflet.markercluster.js      leaflet.markercluster.js
leaflet.markercluster dist/MarkerCluster.css             MarkerCluster.css
leaflet.markercluster dist/MarkerCluster.Default.css     MarkerCluster.Default.css
topojson-client   dist/topojson-client.min.js            topojson-client.min.js
world-atlas       countries-110m.json                    countries-110m.json
LIST

# Licences travel with the code, and VERSIONS says what is here.
: >"$out/VERSIONS"
for pkg in react react-dom graphiql graphql-ws cytoscape layout-base cose-base cytoscape-fcose leaflet leaflet.markercluster topojson-client world-atlas; do
	version="$(node -p "require('$nm/$pkg/package.json').version")"
	echo "$pkg $version" >>"$out/VERSIONS"
	for lic in LICENSE LICENSE.md LICENSE.txt MIT-LICENCE.txt; do
		if [[ -f "$nm/$pkg/$lic" ]]; then
			cp "$nm/$pkg/$lic" "$out/licenses/$pkg.txt"
			break
		fi
	done
done
