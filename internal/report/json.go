package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// JSON writes the report as indented JSON (schema version Version), byte
// for byte what json.Encoder with SetIndent("", "  ") and no HTML escaping
// writes. The files, most of a report of a long history (megabytes), are
// encoded one at a time (jsonenc.go) and indented as they are written:
// encoding the whole report first, then indenting it, allocated and
// zeroed buffers of its size twice over, which cost more than encoding it.
func JSON(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	in := indenter{w: bw}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	j := jsonBuf{fallback: func(v any) ([]byte, error) {
		buf.Reset()
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}}
	// The shell's head, the files one at a time, the shell's tail: each
	// is written to the indenter as soon as it is encoded.
	var first bool
	j.head(r, &first)
	if r.Files == nil {
		j.b = append(j.b, "null"...)
	} else {
		j.b = append(j.b, '[')
		for i := range r.Files {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.file(&r.Files[i])
			in.write(j.b)
			j.b = j.b[:0]
		}
		j.b = append(j.b, ']')
	}
	j.tail(r, &first)
	if j.err != nil {
		return j.err
	}
	in.write(j.b)
	return in.end()
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
