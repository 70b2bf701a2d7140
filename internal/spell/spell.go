// Package spell suggests, for a misspelt name (a command, a flag, a rule
// id, a config key), the valid names it was most likely meant to be: the
// "did you mean ...?" every unknown-name error of phasegate ends with.
package spell

import (
	"fmt"
	"sort"
	"strings"
)

// DidYouMean returns "; did you mean X?" with the names nearest to name
// (each formatted with format, e.g. "%q" or "--%s"), or "" when none is
// near.
func DidYouMean(name string, names []string, format string) string {
	near := Nearest(name, names)
	if len(near) == 0 {
		return ""
	}
	for i, n := range near {
		near[i] = fmt.Sprintf(format, n)
	}
	if len(near) == 1 {
		return "; did you mean " + near[0] + "?"
	}
	return "; did you mean " + strings.Join(near[:len(near)-1], ", ") + " or " + near[len(near)-1] + "?"
}

// Nearest returns the names within a few typos of name (at most a third
// of its length, at least 2), or that contain it or that it contains,
// closest first, at most three.
func Nearest(name string, names []string) []string {
	type cand struct {
		name string
		d    int
	}
	var cands []cand
	limit := max(2, len(name)/3)
	lname := strings.ToLower(name)
	for _, n := range names {
		ln := strings.ToLower(n)
		d := distance(lname, ln)
		switch {
		case d <= limit:
		case len(name) >= 4 && (strings.Contains(ln, lname) || strings.Contains(lname, ln) && len(n) >= 4):
			d = limit + 1
		default:
			continue
		}
		cands = append(cands, cand{n, d})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	var out []string
	for i, c := range cands {
		if i == 3 {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// distance is the Levenshtein distance between a and b (bytes).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
