// Package web serves the pages a person opens in a browser: the GraphiQL
// playground at / and the dashboard at /dashboard, with every script,
// stylesheet and map outline they need embedded in the binary, so that both
// work on a network with no internet.
//
// The pages are static files that talk to the public GraphQL API like any
// other client (POST /graphql, and graphql-ws on the same path for
// subscriptions); nothing here reads the store.
//
// static/vendor holds third-party browser builds copied unchanged from npm
// by assets.sh (versions in package.json, package-lock.json and
// static/vendor/VERSIONS); CI reruns the script and fails when the
// committed copies differ.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var static embed.FS

// files is static/ as the root of the asset tree.
var files, _ = fs.Sub(static, "static")

// contentSecurityPolicy keeps the pages to what the binary serves: scripts,
// styles, images, fonts and connections from this origin only (plus
// same-origin websockets, which CSP spells as ws: and wss:). Inline styles
// are allowed because React and Leaflet set style attributes; inline
// scripts are not. A page that tried to reach a CDN would fail here, in a
// test's browser, rather than on an analyst's closed network.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
	"connect-src 'self' ws: wss:; worker-src 'self' blob:; frame-ancestors 'none'; " +
	"base-uri 'none'; form-action 'none'"

// Register adds the pages and their assets to mux:
//
//	GET /            the playground
//	GET /dashboard   the dashboard
//	GET /assets/...  what they load, among them the dashboard's GraphQL
//	                 documents as one object (assets/dashboard/documents.json)
//	                 and the countries' numeric codes the map's atlas keys
//	                 its outlines by (assets/dashboard/country-numerics.json)
//	GET /favicon.ico the icon
func Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", page("playground.html"))
	mux.Handle("GET /dashboard", page("dashboard.html"))
	mux.Handle("GET /assets/", assets(http.StripPrefix("/assets/", http.FileServerFS(files))))
	mux.Handle("GET /assets/dashboard/documents.json", assets(http.HandlerFunc(serveDocuments)))
	mux.Handle("GET /assets/dashboard/country-numerics.json", assets(http.HandlerFunc(serveCountryNumerics)))
	// Browsers ask for /favicon.ico whatever the page says; an SVG answers.
	mux.Handle("GET /favicon.ico", assets(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		http.ServeFileFS(w, r, files, "favicon.svg")
	})))
}

// page serves one HTML file with the headers every page gets.
func page(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// Pages are small and change with the binary: always revalidate.
		h.Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, files, name)
	})
}

// assets adds caching and type headers to the asset file server. Directory
// listings are refused: the tree is an implementation detail.
func assets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		// The embedded files carry no modification time, so the file server
		// sends no Last-Modified; an hour's caching keeps reloads cheap
		// without pinning a browser to an old binary's scripts for long.
		h.Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
