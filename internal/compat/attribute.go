package compat

import (
	"fmt"
	"strings"
)

// attribute fills Where for each change with the first new statement that
// names the object.
func attribute(changes []Change, ms []Migration, judged []JudgedStatement) {
	for i := range changes {
		c := &changes[i]
		for _, m := range ms {
			for _, s := range m.File.Statements {
				if namesAll(strings.ToLower(s.Text), c.names) {
					c.Where = fmt.Sprintf("%s:%d", m.Path, m.fileLine(s.Pos.Line))
					break
				}
			}
			if c.Where != "" {
				break
			}
		}
		if c.Where != "" {
			continue
		}
		for _, s := range judged {
			if namesAll(strings.ToLower(s.SQL), c.names) {
				c.Where = fmt.Sprintf("%s:%d", s.Path, s.Line)
				break
			}
		}
	}
}

// JudgedStatement is a statement of a new migration as the static check
// read it.
type JudgedStatement struct {
	Path string
	Line int
	SQL  string
}

func namesAll(text string, names []string) bool {
	for _, n := range names {
		if !containsWord(text, strings.ToLower(n)) {
			return false
		}
	}
	return len(names) > 0
}

func containsWord(text, word string) bool {
	for off := 0; ; {
		i := strings.Index(text[off:], word)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(word)
		if (start == 0 || !identChar(text[start-1])) && (end == len(text) || !identChar(text[end])) {
			return true
		}
		off = start + 1
	}
}

func identChar(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
