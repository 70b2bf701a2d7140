package split

import (
	"fmt"
	"regexp"
	"strings"
)

// What split needs to know of a Python file to rewrite an Alembic revision:
// its logical lines (a statement over several physical lines, inside
// brackets, strings or after a backslash, is one) and the bodies of its
// top-level functions. It is a scanner, not a parser: it knows strings,
// comments and brackets, which is what decides where a statement ends.

// pyLine is one logical line of Python source.
type pyLine struct {
	// start and end are byte offsets: the start of its first physical
	// line, and the end of its last (after the newline).
	start, end int
	// first and last are its physical lines, 1-based.
	first, last int
	// indent is its leading whitespace; blank marks a line that holds
	// only whitespace and a comment.
	indent string
	blank  bool
	// text is the line without its indentation.
	text string
}

// pyLines cuts src into logical lines.
func pyLines(src string) []pyLine {
	var out []pyLine
	line := 1
	for start := 0; start < len(src); {
		l := pyLine{start: start, first: line}
		i := start
		for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
			i++
		}
		l.indent = src[start:i]
		depth := 0
		code := false
	scan:
		for i < len(src) {
			c := src[i]
			switch {
			case c == '\n':
				line++
				i++
				if depth == 0 {
					break scan
				}
			case c == '#':
				for i < len(src) && src[i] != '\n' {
					i++
				}
			case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
				line++
				i += 2
			case c == '"' || c == '\'':
				code = true
				i, line = pyStringEnd(src, i, line)
			case c == '(' || c == '[' || c == '{':
				code = true
				depth++
				i++
			case c == ')' || c == ']' || c == '}':
				code = true
				if depth > 0 {
					depth--
				}
				i++
			default:
				if c != ' ' && c != '\t' && c != '\r' {
					code = true
				}
				i++
			}
		}
		l.end, l.last = i, line-1
		if i == len(src) && !strings.HasSuffix(src, "\n") {
			l.last = line
		}
		l.blank = !code
		l.text = strings.TrimRight(src[start+len(l.indent):i], "\r\n")
		out = append(out, l)
		start = i
	}
	return out
}

// pyStringEnd returns the offset after the string literal that starts
// with the quote at i (its prefix, r or b or f, is already behind), and
// the line it ends on.
func pyStringEnd(src string, i, line int) (int, int) {
	q := src[i]
	triple := strings.HasPrefix(src[i:], strings.Repeat(string(q), 3))
	if triple {
		i += 3
	} else {
		i++
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			if src[i+1] == '\n' {
				line++
			}
			i += 2
			continue
		case c == '\n':
			if !triple {
				return i, line // unterminated: the newline ends the line
			}
			line++
		case c == q && (!triple || strings.HasPrefix(src[i:], strings.Repeat(string(q), 3))):
			if triple {
				return i + 3, line
			}
			return i + 1, line
		}
		i++
	}
	return i, line
}

// pyFunc is a top-level function of a Python file.
type pyFunc struct {
	def int // index of its "def" line in the logical lines
	// body are the indexes of the logical lines of its body, blank ones
	// included; indent is the indentation of its statements.
	body   []int
	indent string
}

var pyDef = regexp.MustCompile(`^def\s+(\w+)\s*\(`)

// pyFunction finds the top-level function name among lines.
func pyFunction(lines []pyLine, name string) (*pyFunc, error) {
	for i, l := range lines {
		m := pyDef.FindStringSubmatch(l.text)
		if l.indent != "" || m == nil || m[1] != name {
			continue
		}
		f := &pyFunc{def: i}
		if !strings.HasSuffix(strings.TrimSpace(stripPyComment(l.text)), ":") {
			return nil, fmt.Errorf("line %d: %s() has its body on the line of its def", l.first, name)
		}
		for j := i + 1; j < len(lines); j++ {
			b := lines[j]
			if !b.blank && b.indent == "" {
				break
			}
			f.body = append(f.body, j)
			if !b.blank && f.indent == "" {
				f.indent = b.indent
			}
		}
		// Blank lines after the last statement belong to what follows.
		for len(f.body) > 0 && lines[f.body[len(f.body)-1]].blank {
			f.body = f.body[:len(f.body)-1]
		}
		if f.indent == "" {
			return nil, fmt.Errorf("line %d: %s() has no body", l.first, name)
		}
		return f, nil
	}
	return nil, fmt.Errorf("no top-level function %s()", name)
}

// stripPyComment cuts a trailing comment off one physical line of code
// (outside strings).
func stripPyComment(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '#':
			return s[:i]
		case '"', '\'':
			end, _ := pyStringEnd(s, i, 0)
			i = end - 1
		}
	}
	return s
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
