package source

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles a pattern the first time it is used: the formats'
// patterns (about forty) would otherwise be compiled at every start-up,
// also by runs that never meet most formats.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
