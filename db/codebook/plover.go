package codebook

import (
	_ "embed"
	"fmt"
)

//go:embed plover-actors.tsv
var ploverActors string

var ploverFixes = func() map[[2]string]string {
	out := map[[2]string]string{}
	for _, f := range rows(ploverActors, "plover-actors.tsv", 4) {
		if f[0] != "code" && f[0] != "sector" {
			panic(fmt.Sprintf("codebook: plover-actors.tsv: unknown field %q", f[0]))
		}
		out[[2]string{f[0], f[1]}] = f[2]
	}
	return out
}()

// PLOVERActorCode returns what an actor's code or sector, as the PLOVER
// gold-standard records write it, stands for when it is neither ISO's nor
// CAMEO's (field "code": "JAP" → "JPN"; field "sector": "***" → ""), from
// plover-actors.tsv. False for what the table does not list.
func PLOVERActorCode(field, written string) (string, bool) {
	s, ok := ploverFixes[[2]string{field, written}]
	return s, ok
}
