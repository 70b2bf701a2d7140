package sqltext

import (
	"fmt"
	"sort"
)

// Rendered is SQL that a template engine produced from a migration file
// (pop renders its files with Go's text/template before running them):
// the SQL, the file as written, and where each byte of the SQL comes from,
// so that every position phasegate reports points into the file.
type Rendered struct {
	// SQL is what the tool runs; Source the file as written.
	SQL, Source []byte
	// Simple is set when the template has no conditional, loop or included
	// template: what an action writes stands where the action stands, so
	// the file can be cut statement by statement (phasegate split).
	Simple bool
	// Notes are remarks on the rendering (a value phasegate stood in for),
	// at positions of the file; Parse passes them on as the file's notes.
	Notes []Note
	segs  []segment
}

// segment is a run of SQL: from SQL offset at, copied from the file at
// offset src (literal), or written by the template action that spans
// [src, srcEnd) of the file.
type segment struct {
	at, src, srcEnd int
	literal         bool
}

// NewRendered starts the rendering of a file.
func NewRendered(source []byte) *Rendered { return &Rendered{Source: source} }

// Literal appends text the template copies from offset src of the file.
func (r *Rendered) Literal(src int, text []byte) { r.add(segment{src: src, literal: true}, text) }

// Action appends what the template action spanning [src, end) of the file
// writes.
func (r *Rendered) Action(src, end int, text []byte) { r.add(segment{src: src, srcEnd: end}, text) }

func (r *Rendered) add(s segment, text []byte) {
	if len(text) == 0 {
		return
	}
	s.at = len(r.SQL)
	r.segs = append(r.segs, s)
	r.SQL = append(r.SQL, text...)
}

// segment returns the segment that holds SQL offset off, or false.
func (r *Rendered) segment(off int) (segment, bool) {
	i := sort.Search(len(r.segs), func(i int) bool { return r.segs[i].at > off }) - 1
	if i < 0 {
		return segment{}, false
	}
	return r.segs[i], true
}

// SourceOffset maps an offset of the SQL to the file: the same byte for
// text the template copies, the start of the action for what an action
// writes. The end of the SQL maps to the end of the file.
func (r *Rendered) SourceOffset(off int) int {
	if off >= len(r.SQL) {
		return len(r.Source)
	}
	s, ok := r.segment(off)
	if !ok {
		return 0
	}
	if s.literal {
		return s.src + off - s.at
	}
	return s.src
}

// SourceEnd maps an end offset of the SQL (the offset after a span) to the
// file: after the byte for copied text, after the whole action for what an
// action writes.
func (r *Rendered) SourceEnd(end int) int {
	if end <= 0 {
		return 0
	}
	s, ok := r.segment(end - 1)
	switch {
	case !ok:
		return 0
	case s.literal:
		return s.src + end - s.at
	}
	return s.srcEnd
}

// AsWritten returns the file with its statements placed in the file as
// written (Src is the template, each statement's Start, End and Text its
// span there; their parse trees are the rendered SQL's), for cutting the
// file apart statement by statement. A file that was not rendered is
// returned as it is. A template with conditionals, loops or included
// templates cannot be cut: an action there may write more than one
// statement.
func (f *File) AsWritten() (*File, error) {
	r := f.Rendered
	if r == nil {
		return f, nil
	}
	if !r.Simple {
		return nil, fmt.Errorf("its template has conditionals, loops or included templates ({{if}}, {{range}}, {{template}}), whose output cannot be cut statement by statement")
	}
	out := *f
	out.Src, out.Rendered, out.text = r.Source, nil, string(r.Source)
	out.Statements = make([]*Statement, len(f.Statements))
	for i, s := range f.Statements {
		ns := *s
		ns.Start, ns.End = r.SourceOffset(s.Start), r.SourceEnd(s.End)
		ns.Text = string(r.Source[ns.Start:ns.End])
		out.Statements[i] = &ns
	}
	return &out, nil
}
