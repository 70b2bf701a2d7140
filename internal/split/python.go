package split

import (
	"fmt"
	"strings"

	"github.com/phasegate/phasegate/internal/ormsql"
)

// What split needs to know of a Python file to rewrite an Alembic revision:
// the statements of the bodies of its top-level functions, where they are
// and what they are. Python's own ast module says it (ormsql.ReadPython);
// split never matches Python text.

// pyStmt is one statement of a function's body.
type pyStmt struct {
	// start and end are byte offsets: the start of its first line, and
	// the end of its last (after the newline), a trailing comment
	// included.
	start, end int
	// first and last are its lines, 1-based.
	first, last int
	// opCall marks a call op.NAME(...) on its own; block a statement that
	// holds others (with, if, for); shared one that shares a line with
	// another statement.
	opCall, block, shared bool
}

// pyFunc is a top-level function of a Python file.
type pyFunc struct {
	body []pyStmt
	// indent is the indentation of its statements.
	indent string
}

// pyFunction finds the top-level function name of src, as mod (what
// Python's ast says of src) places it.
func pyFunction(mod *ormsql.PyModule, src, name string) (*pyFunc, error) {
	fn, ok := mod.Function(name)
	if !ok {
		return nil, fmt.Errorf("no top-level function %s()", name)
	}
	f := &pyFunc{}
	for i, st := range fn.Body {
		start, _, err := (ormsql.Span{Line: st.Line, EndLine: st.Line}).Offsets([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", st.Line, err)
		}
		_, end, err := st.Span.Offsets([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", st.Line, err)
		}
		if nl := strings.IndexByte(src[end:], '\n'); nl >= 0 {
			end += nl + 1
		} else {
			end = len(src)
		}
		indent := src[start : start+st.Col]
		if i == 0 {
			if strings.TrimLeft(indent, " \t") != "" {
				return nil, fmt.Errorf("line %d: %s() has its body on the line of its def", fn.Line, name)
			}
			f.indent = indent
		}
		s := pyStmt{start: start, end: end, first: st.Line, last: st.EndLine, opCall: st.OpCall, block: st.Block,
			shared: indent != f.indent}
		if n := len(f.body); n > 0 && f.body[n-1].last == s.first {
			f.body[n-1].shared, s.shared = true, true
		}
		f.body = append(f.body, s)
	}
	return f, nil
}

// pyString writes s as a Python string literal: on one line in double
// quotes, or triple-quoted over several.
func pyString(s string) string {
	esc := strings.ReplaceAll(s, `\`, `\\`)
	if !strings.Contains(s, "\n") {
		return `"` + strings.ReplaceAll(esc, `"`, `\"`) + `"`
	}
	esc = strings.ReplaceAll(esc, `"""`, `\"\"\"`)
	if strings.HasSuffix(esc, `"`) {
		esc = esc[:len(esc)-1] + `\"`
	}
	return `"""` + esc + `"""`
}
