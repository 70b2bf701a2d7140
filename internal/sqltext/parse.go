package sqltext

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	pgparser "github.com/pganalyze/pg_query_go/v5/parser"
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// Region is a byte range [Start, End) of a file.
type Region struct{ Start, End int }

// Options control what part of a file is parsed.
type Options struct {
	// Regions hold the SQL the migration tool runs (for goose, the Up
	// section). Bytes outside them are masked. Nil means the whole file.
	Regions []Region
	// Rendered, if set, is the rendering of a template file whose SQL is
	// the src given to Parse: positions point into the file as written.
	Rendered *Rendered
}

// File is one parsed migration file.
type File struct {
	// Src is the file as read, or the SQL a template file renders to
	// (then Rendered maps it back to the file).
	Src        []byte
	Rendered   *Rendered
	Statements []*Statement
	// Directives holds every well-formed directive of the file, in order,
	// including those that precede no statement (Stmt is nil).
	Directives []*Directive
	// Notes are non-fatal remarks about the text: malformed directives,
	// psql meta-commands that were skipped.
	Notes []Note

	text  string // Src with masked bytes blanked; same offsets
	lines *lineIndex
}

// Statement is one top-level SQL statement.
type Statement struct {
	Index int // 0-based position in the file
	// Start and End are byte offsets of the statement's text in the file,
	// without leading comments and without the terminating semicolon.
	Start, End  int
	Pos, EndPos Position
	// Text is the statement as written in the file.
	Text string
	// Node is the statement's parse tree.
	Node *pg.Node
	// Directives are the phasegate directives that apply to the statement.
	Directives []*Directive
}

// NoteKind says what a Note is about.
type NoteKind int

const (
	// NoteDirective is a malformed or misplaced phasegate directive.
	NoteDirective NoteKind = iota + 1
	// NoteMetaCommand is a psql meta-command (\set, \connect...) that was
	// skipped because it is not SQL.
	NoteMetaCommand
	// NoteTemplate is a remark on how a template file was rendered (a
	// value phasegate stood in for).
	NoteTemplate
)

// Note is a non-fatal remark about a file.
type Note struct {
	Kind    NoteKind
	Pos     Position
	Message string
}

// Error is a problem that stops a file from being parsed, at a position.
type Error struct {
	Pos     Position
	Message string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Message }

// Pos returns the position of a byte offset of Src, in the file as
// written.
func (f *File) Pos(off int) Position {
	if f.Rendered != nil {
		off = f.Rendered.SourceOffset(off)
	}
	return f.lines.pos(off)
}

// maxMetaCommands bounds how many psql meta-commands one file may hold; each
// costs a re-parse.
const maxMetaCommands = 200

// Parse parses src, a whole migration file, with PostgreSQL's parser.
// A returned *Error carries the position of the fault; nothing is returned
// in part.
func Parse(src []byte, opts Options) (*File, error) {
	bom := 0
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		bom = 3
	}
	f := &File{Src: src, lines: newLineIndex(src, bom)}
	if r := opts.Rendered; r != nil {
		srcBOM := 0
		if bytes.HasPrefix(r.Source, []byte("\xEF\xBB\xBF")) {
			srcBOM = 3
		}
		f.Rendered, f.lines = r, newLineIndex(r.Source, srcBOM)
		f.Notes = append(f.Notes, r.Notes...)
	}
	if err := f.checkEncoding(bom); err != nil {
		return nil, err
	}
	masked := mask(src, opts.Regions, bom)
	var tree *pg.ParseResult
	for metas := 0; ; metas++ {
		var err error
		tree, err = pg.Parse(string(masked))
		if err == nil {
			break
		}
		off, perr := f.parseErrorOffset(masked, err)
		if perr == nil && metas < maxMetaCommands {
			if end, ok := metaCommandAt(masked, off); ok {
				f.Notes = append(f.Notes, Note{Kind: NoteMetaCommand, Pos: f.Pos(off),
					Message: "psql meta-command " + firstWord(masked[off:end]) + " is not SQL; phasegate skipped it (only psql can run this file)"})
				blank(masked[off:end])
				continue
			}
		}
		if perr != nil {
			return nil, perr
		}
		return nil, &Error{Pos: f.Pos(off), Message: parseMessage(err)}
	}
	f.text = string(masked)
	f.build(tree)
	return f, nil
}

// checkEncoding rejects what PostgreSQL cannot read as UTF-8 SQL text, with
// the position of the first bad byte.
func (f *File) checkEncoding(bom int) error {
	src := f.Src
	if bytes.HasPrefix(src, []byte("\xFF\xFE")) || bytes.HasPrefix(src, []byte("\xFE\xFF")) {
		return &Error{Pos: f.Pos(0), Message: "file is UTF-16 encoded; save it as UTF-8"}
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return &Error{Pos: f.Pos(i), Message: "NUL byte in file; PostgreSQL cannot run it (is it a binary file?)"}
	}
	for i := bom; i < len(src); {
		if src[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return &Error{Pos: f.Pos(i), Message: fmt.Sprintf("invalid UTF-8 byte 0x%02X; save the file as UTF-8 (PostgreSQL expects the client encoding)", src[i])}
		}
		i += n
	}
	return nil
}

// mask returns a copy of src in which every byte outside regions (and the
// byte order mark) is a space, except line breaks, so offsets are kept.
func mask(src []byte, regions []Region, bom int) []byte {
	out := make([]byte, len(src))
	copy(out, src)
	blank(out[:bom])
	if regions == nil {
		return out
	}
	keep := 0
	for _, r := range regions {
		start, end := clamp(r.Start, len(src)), clamp(r.End, len(src))
		if start > keep {
			blank(out[keep:start])
		}
		if end > keep {
			keep = end
		}
	}
	blank(out[keep:])
	return out
}

func clamp(v, n int) int {
	if v < 0 {
		return 0
	}
	if v > n {
		return n
	}
	return v
}

// blank replaces every byte but line breaks with a space.
func blank(b []byte) {
	for i, c := range b {
		if c != '\n' && c != '\r' {
			b[i] = ' '
		}
	}
}

// parseErrorOffset converts the parser's 1-based character cursor into a
// byte offset.
func (f *File) parseErrorOffset(text []byte, err error) (int, error) {
	var pe *pgparser.Error
	if !errors.As(err, &pe) {
		return 0, &Error{Pos: f.Pos(0), Message: "parser: " + err.Error()}
	}
	if pe.Cursorpos <= 0 {
		return 0, nil
	}
	chars := pe.Cursorpos - 1
	off := 0
	for chars > 0 && off < len(text) {
		_, n := utf8.DecodeRune(text[off:])
		off += n
		chars--
	}
	return off, nil
}

func parseMessage(err error) string {
	var pe *pgparser.Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}

// metaCommandAt reports whether a psql meta-command starts at off: a
// backslash that is the first non-blank character of its line. It returns
// the end of the line.
func metaCommandAt(text []byte, off int) (int, bool) {
	if off >= len(text) || text[off] != '\\' {
		return 0, false
	}
	for i := off - 1; i >= 0 && text[i] != '\n'; i-- {
		if text[i] != ' ' && text[i] != '\t' && text[i] != '\r' {
			return 0, false
		}
	}
	end := bytes.IndexByte(text[off:], '\n')
	if end < 0 {
		return len(text), true
	}
	return off + end, true
}

func firstWord(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, " \t\r"); i >= 0 {
		s = s[:i]
	}
	return s
}

// build turns the parse tree into statements and attaches directives.
func (f *File) build(tree *pg.ParseResult) {
	text := f.text
	prevEnd := -1 // end of the previous statement, -1 before the first
	var pending []*Directive
	for i, raw := range tree.Stmts {
		loc := int(raw.StmtLocation)
		end := len(text)
		if raw.StmtLen > 0 {
			end = loc + int(raw.StmtLen)
		}
		comments, start := skipTrivia(text, loc, end)
		var prev *Statement
		if i > 0 {
			prev = f.Statements[i-1]
		}
		pending = f.attach(comments, prevEnd, prev, pending)
		if raw.StmtLen == 0 {
			// The last statement without ";" runs to the end of the file:
			// its trailing comments are not part of it.
			end = f.codeEnd(start, end)
		}
		for end > start && isSpace(text[end-1]) {
			end--
		}
		s := &Statement{
			Index:  i,
			Start:  start,
			End:    end,
			Pos:    f.Pos(start),
			EndPos: f.Pos(end - 1),
			Text:   text[start:end],
			Node:   raw.Stmt,
		}
		s.Directives, pending = pending, nil
		if strings.Contains(s.Text, "phasegate:") {
			// A directive written inside the statement is for it too.
			s.Directives = f.attach(f.innerComments(start, end), -1, nil, s.Directives)
		}
		for _, d := range s.Directives {
			d.Stmt = s
		}
		f.Statements = append(f.Statements, s)
		prevEnd = end
	}
	// Comments after the last statement: only blanks, comments and empty
	// statements (";") are left there.
	tail := 0
	if n := len(f.Statements); n > 0 {
		tail = f.Statements[n-1].End
	}
	var comments []comment
	for tail < len(text) {
		var cs []comment
		cs, tail = skipTrivia(text, tail, len(text))
		comments = append(comments, cs...)
		if tail < len(text) && text[tail] != ';' {
			break // trailing text of the last statement (a comment before ";")
		}
		tail++
	}
	var last *Statement
	if n := len(f.Statements); n > 0 {
		last = f.Statements[n-1]
	}
	pending = f.attach(comments, prevEnd, last, pending)
	for _, d := range pending {
		f.Notes = append(f.Notes, Note{Kind: NoteDirective, Pos: d.Pos,
			Message: "directive phasegate:" + d.Kind.String() + " precedes no statement; put it on the line before the statement it is for"})
	}
}

// attach parses the directives among comments. A comment that starts on the
// same line as the end of the previous statement is a trailing comment of
// that statement; the others apply to the next statement (returned as
// pending).
func (f *File) attach(comments []comment, prevEnd int, prev *Statement, pending []*Directive) []*Directive {
	for _, c := range comments {
		d, problem := parseDirective(f.text[c.bodyStart:c.end])
		if d == nil && problem == "" {
			continue
		}
		pos := f.Pos(c.start)
		if problem != "" {
			f.Notes = append(f.Notes, Note{Kind: NoteDirective, Pos: pos, Message: problem})
			continue
		}
		d.Pos = pos
		f.Directives = append(f.Directives, d)
		if prev != nil && prevEnd >= 0 && !strings.ContainsRune(f.text[prevEnd:c.start], '\n') {
			d.Stmt = prev
			prev.Directives = append(prev.Directives, d)
			continue
		}
		pending = append(pending, d)
	}
	return pending
}

// innerComments returns the comments inside text[from:to], found with
// PostgreSQL's own scanner so that "--" in a string is not one.
func (f *File) innerComments(from, to int) []comment {
	res, err := pg.Scan(f.text[from:to])
	if err != nil {
		return nil
	}
	var out []comment
	for _, t := range res.Tokens {
		if t.Token != pg.Token_SQL_COMMENT && t.Token != pg.Token_C_COMMENT {
			continue
		}
		c := comment{start: from + int(t.Start), bodyStart: from + int(t.Start) + 2, end: from + int(t.End)}
		if t.Token == pg.Token_C_COMMENT && c.end-2 >= c.bodyStart && f.text[c.end-2:c.end] == "*/" {
			c.end -= 2
		}
		out = append(out, c)
	}
	return out
}

// codeEnd returns the offset after the last token of text[from:to] that is
// not a comment.
func (f *File) codeEnd(from, to int) int {
	res, err := pg.Scan(f.text[from:to])
	if err != nil {
		return to
	}
	for i := len(res.Tokens) - 1; i >= 0; i-- {
		if t := res.Tokens[i]; t.Token != pg.Token_SQL_COMMENT && t.Token != pg.Token_C_COMMENT {
			return from + int(t.End)
		}
	}
	return to
}

type comment struct {
	start     int // offset of "--" or "/*"
	bodyStart int // offset after the comment marker
	end       int // offset after the comment (before the newline of a line comment)
}

// skipTrivia skips whitespace and comments in text[from:to] and returns the
// comments and the offset of the first other byte. The parser guarantees
// that what precedes a statement is only whitespace and comments, so no SQL
// lexing happens here.
func skipTrivia(text string, from, to int) ([]comment, int) {
	var comments []comment
	i := from
	for i < to {
		switch {
		case isSpace(text[i]):
			i++
		case strings.HasPrefix(text[i:to], "--"):
			j := strings.IndexByte(text[i:to], '\n')
			end := to
			if j >= 0 {
				end = i + j
			}
			comments = append(comments, comment{start: i, bodyStart: i + 2, end: end})
			i = end
		case strings.HasPrefix(text[i:to], "/*"):
			end := blockCommentEnd(text, i, to)
			bodyEnd := end
			if bodyEnd-2 >= i+2 && text[bodyEnd-2:bodyEnd] == "*/" {
				bodyEnd -= 2
			}
			comments = append(comments, comment{start: i, bodyStart: i + 2, end: bodyEnd})
			i = end
		default:
			return comments, i
		}
	}
	return comments, i
}

// blockCommentEnd returns the offset after the (possibly nested) block
// comment that starts at i.
func blockCommentEnd(text string, i, to int) int {
	depth := 0
	for i < to {
		switch {
		case strings.HasPrefix(text[i:to], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(text[i:to], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return to
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
