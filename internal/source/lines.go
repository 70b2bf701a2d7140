package source

import (
	"bytes"
	"strings"
)

// line is one line of a file with its byte offsets; text excludes the line
// break.
type line struct {
	start, end int // [start, end) of the text; end+1 is the next line (or EOF)
	text       string
}

// lines splits src into lines, keeping offsets.
func lines(src []byte) []line {
	var out []line
	for start := 0; start <= len(src); {
		i := bytes.IndexByte(src[start:], '\n')
		end := len(src)
		if i >= 0 {
			end = start + i
		}
		text := strings.TrimSuffix(string(src[start:end]), "\r")
		out = append(out, line{start: start, end: end, text: text})
		if i < 0 {
			break
		}
		start = end + 1
	}
	return out
}

// annotation returns the text after prefix on a line comment such as
// "-- +goose Up" (prefix "+goose"), and whether the line is one.
func annotation(text, prefix string) (string, bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "--") {
		return "", false
	}
	t = strings.TrimSpace(t[2:])
	if !strings.HasPrefix(t, prefix) {
		return "", false
	}
	return strings.TrimSpace(t[len(prefix):]), true
}

// nextLine returns the offset of the line after l.
func nextLine(src []byte, l line) int {
	if l.end < len(src) {
		return l.end + 1
	}
	return l.end
}
