package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSON writes the report as indented JSON (schema version Version), byte
// for byte what json.Encoder with SetIndent("", "  ") and no HTML escaping
// writes. The files, most of a report of a long history (megabytes), are
// encoded one at a time and indented as they are written: encoding the
// whole report first, then indenting it, allocated and zeroed buffers of
// its size twice over, which cost more than encoding it.
func JSON(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	in := indenter{w: bw}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	encode := func(v any) ([]byte, error) {
		buf.Reset()
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	shell := *r
	shell.Files = nil
	top, err := encode(&shell)
	if err != nil {
		return err
	}
	if r.Files == nil {
		in.write(top)
		return in.end()
	}
	at := topKey(top, `"files":null`)
	if at < 0 {
		return fmt.Errorf("report JSON: no files key in %.80s", top)
	}
	head, tail := top[:at+len(`"files":`)], top[at+len(`"files":null`):]
	tail = append([]byte(nil), tail...) // buf is reused for the files
	in.write(head)
	in.write([]byte("["))
	for i := range r.Files {
		if i > 0 {
			in.write([]byte(","))
		}
		f, err := encode(&r.Files[i])
		if err != nil {
			return err
		}
		in.write(f)
	}
	in.write([]byte("]"))
	in.write(tail)
	return in.end()
}

// topKey returns where member (a key, its colon and value) starts in the
// top object of compact JSON js, or -1.
func topKey(js []byte, member string) int {
	depth, inString, escaped := 0, false, false
	for i, c := range js {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			if depth == 1 && (js[i-1] == '{' || js[i-1] == ',') && bytes.HasPrefix(js[i:], []byte(member)) {
				return i
			}
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return -1
}

// indenter writes compact JSON (as json.Encoder writes it: no space
// outside strings) indented as json.Indent(dst, src, "", "  ") would, in
// pieces: the state carries over from one write to the next.
type indenter struct {
	w          *bufio.Writer
	depth      int
	needIndent bool // after { or [: the newline waits for what follows, } and ] close empty
	inString   bool
	escaped    bool
}

func (in *indenter) newline() {
	in.w.WriteByte('\n')
	for range in.depth {
		in.w.WriteString("  ")
	}
}

func (in *indenter) write(p []byte) {
	for _, c := range p {
		if in.inString {
			switch {
			case in.escaped:
				in.escaped = false
			case c == '\\':
				in.escaped = true
			case c == '"':
				in.inString = false
			}
			in.w.WriteByte(c)
			continue
		}
		if in.needIndent && c != '}' && c != ']' {
			in.needIndent = false
			in.depth++
			in.newline()
		}
		switch c {
		case '"':
			in.inString = true
			in.w.WriteByte(c)
		case '{', '[':
			in.needIndent = true
			in.w.WriteByte(c)
		case ',':
			in.w.WriteByte(c)
			in.newline()
		case ':':
			in.w.WriteString(": ")
		case '}', ']':
			if in.needIndent {
				in.needIndent = false
			} else {
				in.depth--
				in.newline()
			}
			in.w.WriteByte(c)
		default:
			in.w.WriteByte(c)
		}
	}
}

// end writes the newline json.Encoder ends a value with, and flushes.
func (in *indenter) end() error {
	in.w.WriteByte('\n')
	return in.w.Flush()
}
