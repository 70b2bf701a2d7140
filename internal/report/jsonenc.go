package report

import (
	"strconv"
	"unicode/utf8"
)

// The report's static part (the shell, files, statements, findings) is
// encoded by hand, as compact JSON byte for byte what encoding/json writes
// with HTML escaping off: encoding/json first builds an encoder for every
// type reachable from Report by reflection, which cost a one-file classify
// a millisecond, more than its judging. The runtime part (Runtime,
// Scenarios, MeasuredLock, Context, Shard) goes through encoding/json,
// as only runs that have one pay for it. TestJSONEveryField fills every
// field of every type and compares with json.Encoder, so a field added to
// a struct and not here fails it.

// jsonBuf builds compact JSON. fallback encodes a value with encoding/json.
type jsonBuf struct {
	b        []byte
	fallback func(v any) ([]byte, error)
	err      error
}

// field starts member k of an object: a comma unless it is the first.
func (j *jsonBuf) field(first *bool, k string) {
	if !*first {
		j.b = append(j.b, ',')
	}
	*first = false
	j.b = append(j.b, '"')
	j.b = append(j.b, k...)
	j.b = append(j.b, '"', ':')
}

func (j *jsonBuf) str(first *bool, k, v string) {
	j.field(first, k)
	j.b = appendJSONString(j.b, v)
}

func (j *jsonBuf) strOmit(first *bool, k, v string) {
	if v != "" {
		j.str(first, k, v)
	}
}

func (j *jsonBuf) int(first *bool, k string, v int) {
	j.field(first, k)
	j.b = strconv.AppendInt(j.b, int64(v), 10)
}

func (j *jsonBuf) intOmit(first *bool, k string, v int) {
	if v != 0 {
		j.int(first, k, v)
	}
}

func (j *jsonBuf) boolOmit(first *bool, k string, v bool) {
	if v {
		j.field(first, k)
		j.b = append(j.b, "true"...)
	}
}

// any encodes v with encoding/json.
func (j *jsonBuf) any(first *bool, k string, v any) {
	j.field(first, k)
	js, err := j.fallback(v)
	if err != nil && j.err == nil {
		j.err = err
	}
	j.b = append(j.b, js...)
}

// list encodes a slice as encoding/json does: null when nil.
func list[T any](j *jsonBuf, first *bool, k string, vs []T, enc func(*jsonBuf, *T)) {
	j.field(first, k)
	if vs == nil {
		j.b = append(j.b, "null"...)
		return
	}
	j.b = append(j.b, '[')
	for i := range vs {
		if i > 0 {
			j.b = append(j.b, ',')
		}
		enc(j, &vs[i])
	}
	j.b = append(j.b, ']')
}

// head encodes r up to the value of its files: its fields before them,
// and the key "files". f says whether a member was written yet; tail takes
// it on.
func (j *jsonBuf) head(r *Report, f *bool) {
	*f = true
	j.b = append(j.b, '{')
	j.int(f, "version", r.Version)
	j.str(f, "tool", r.Tool)
	j.str(f, "result", r.Result)
	j.strOmit(f, "base", r.Base)
	j.strOmit(f, "head", r.Head)
	if m := r.Migrations; m != nil {
		j.field(f, "migrations")
		g := true
		j.b = append(j.b, '{')
		j.str(&g, "dir", m.Dir)
		j.str(&g, "format", m.Format)
		j.b = append(j.b, '}')
	}
	j.int(f, "postgres_version", r.PostgresVersion)
	j.field(f, "summary")
	j.summary(&r.Summary)
	j.field(f, "files")
}

// tail encodes the fields of r after its files, and ends the object.
func (j *jsonBuf) tail(r *Report, f *bool) {
	list(j, f, "errors", r.Errors, (*jsonBuf).error)
	if len(r.Notes) > 0 {
		list(j, f, "notes", r.Notes, (*jsonBuf).note)
	}
	if len(r.Scenarios) > 0 {
		j.any(f, "scenarios", r.Scenarios)
	}
	if r.Runtime != nil {
		j.any(f, "runtime", r.Runtime)
	}
	if r.Shard != nil {
		j.any(f, "shard", r.Shard)
	}
	if r.Context != nil {
		j.any(f, "context", r.Context)
	}
	j.b = append(j.b, '}')
}

func (j *jsonBuf) summary(s *Summary) {
	f := true
	j.b = append(j.b, '{')
	j.int(&f, "files", s.Files)
	j.int(&f, "statements", s.Statements)
	j.int(&f, "expand", s.Expand)
	j.int(&f, "contract", s.Contract)
	j.int(&f, "unknown", s.Unknown)
	j.int(&f, "deferred", s.Deferred)
	j.int(&f, "errors", s.Errors)
	j.int(&f, "warnings", s.Warnings)
	j.int(&f, "infos", s.Infos)
	j.b = append(j.b, '}')
}

func (j *jsonBuf) file(x *File) {
	f := true
	j.b = append(j.b, '{')
	j.str(&f, "path", x.Path)
	j.str(&f, "format", x.Format)
	j.strOmit(&f, "status", x.Status)
	j.boolOmit(&f, "deferred", x.Deferred)
	j.strOmit(&f, "transaction", x.Transaction)
	list(j, &f, "statements", x.Statements, (*jsonBuf).statement)
	list(j, &f, "findings", x.Findings, (*jsonBuf).finding)
	j.b = append(j.b, '}')
}

func (j *jsonBuf) statement(s *Statement) {
	f := true
	j.b = append(j.b, '{')
	j.int(&f, "line", s.Line)
	j.int(&f, "column", s.Column)
	j.int(&f, "end_line", s.EndLine)
	j.int(&f, "end_column", s.EndColumn)
	j.str(&f, "sql", s.SQL)
	j.str(&f, "phase", s.Phase)
	j.strOmit(&f, "phase_directive", s.PhaseDirective)
	list(j, &f, "findings", s.Findings, (*jsonBuf).finding)
	if len(s.ExpectedLocks) > 0 {
		list(j, &f, "expected_locks", s.ExpectedLocks, (*jsonBuf).lock)
	}
	if len(s.Locks) > 0 {
		j.any(&f, "locks", s.Locks)
	}
	j.strOmit(&f, "locks_note", s.LocksNote)
	j.b = append(j.b, '}')
}

func (j *jsonBuf) finding(x *Finding) {
	f := true
	j.b = append(j.b, '{')
	j.str(&f, "rule", x.Rule)
	j.str(&f, "category", x.Category)
	j.str(&f, "severity", x.Severity)
	j.str(&f, "message", x.Message)
	j.str(&f, "fix", x.Fix)
	j.intOmit(&f, "line", x.Line)
	j.intOmit(&f, "column", x.Column)
	if e := x.Edit; e != nil {
		j.field(&f, "edit")
		g := true
		j.b = append(j.b, '{')
		j.int(&g, "line", e.Line)
		j.int(&g, "end_line", e.EndLine)
		j.str(&g, "old", e.Old)
		j.str(&g, "new", e.New)
		j.b = append(j.b, '}')
	}
	j.b = append(j.b, '}')
}

func (j *jsonBuf) lock(l *Lock) {
	f := true
	j.b = append(j.b, '{')
	j.str(&f, "relation", l.Relation)
	j.str(&f, "mode", l.Mode)
	j.boolOmit(&f, "rewrite", l.Rewrite)
	j.boolOmit(&f, "scan", l.Scan)
	j.b = append(j.b, '}')
}

func (j *jsonBuf) error(e *Error) {
	f := true
	j.b = append(j.b, '{')
	j.str(&f, "path", e.Path)
	j.intOmit(&f, "line", e.Line)
	j.intOmit(&f, "column", e.Column)
	j.str(&f, "message", e.Message)
	j.b = append(j.b, '}')
}

func (j *jsonBuf) note(n *Note) {
	f := true
	j.b = append(j.b, '{')
	j.str(&f, "where", n.Where)
	j.str(&f, "message", n.Message)
	j.b = append(j.b, '}')
}

// appendJSONString appends s quoted as encoding/json quotes it with HTML
// escaping off: '"', '\\' and control characters escaped, invalid UTF-8
// as U+FFFD, and U+2028 and U+2029 escaped (JavaScript reads them as line
// ends).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
