package checker

import (
	"strings"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// doBlock returns the body of a DO block phasegate can read.
func doBlock(s *sqltext.Statement) (*schema.DoBody, bool) {
	d := s.Node.GetDoStmt()
	if d == nil {
		return nil, false
	}
	body, err := schema.ParseDo(d)
	return body, err == nil
}

// doBodyStart returns the offset in s.Text at which the body of DO
// statement s starts (just after its opening quote), or -1.
func doBodyStart(s *sqltext.Statement) int {
	d := s.Node.GetDoStmt()
	if d == nil {
		return -1
	}
	for _, a := range d.Args {
		de := a.GetDefElem()
		if de == nil || de.Defname != "as" {
			continue
		}
		// The location is the file offset of the string constant.
		if at := int(de.Location) - s.Start; at >= 0 && at < len(s.Text) {
			t := s.Text[at:]
			switch {
			case strings.HasPrefix(t, "'"):
				return at + 1
			case len(t) > 1 && (t[0] == 'e' || t[0] == 'E') && t[1] == '\'':
				return at + 2
			case strings.HasPrefix(t, "$"):
				if end := strings.IndexByte(t[1:], '$'); end >= 0 {
					return at + end + 2
				}
			}
		}
		// Else look for the body itself.
		if body := de.Arg.GetString_().GetSval(); body != "" {
			return strings.Index(s.Text, body)
		}
	}
	return -1
}

// doStatementPos returns the file position of statement in of the body of
// DO statement s, whose body starts at offset start of s.Text: its line is
// the body's line plus in.Line - 1, and its column that of its text on
// that line (searched from *cursor on, which it advances past a match), or
// of the line's first non-blank. It is nil when it cannot be told.
func doStatementPos(f *sqltext.File, s *sqltext.Statement, start int, in schema.DoStatement, cursor *int) *sqltext.Position {
	if f == nil || start < 0 || in.Line < 1 {
		return nil
	}
	text := s.Text
	line := start
	for n := 1; n < in.Line; n++ {
		i := strings.IndexByte(text[line:], '\n')
		if i < 0 {
			return nil
		}
		line += i + 1
	}
	end := len(text)
	if i := strings.IndexByte(text[line:], '\n'); i >= 0 {
		end = line + i
	}
	at := -1
	if sql := strings.TrimSpace(in.SQL); sql != "" {
		from := max(line, *cursor)
		if i := strings.Index(text[from:], sql); i >= 0 && from+i < end {
			at = from + i
			*cursor = at + 1
		}
	}
	if at < 0 {
		at = line
		for at < end && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r') {
			at++
		}
	}
	p := f.Pos(s.Start + at)
	return &p
}

// mergeLocks adds locks, keeping the strongest mode per relation.
func mergeLocks(into, more []Lock) []Lock {
	for _, l := range more {
		found := false
		for i := range into {
			if into[i].Relation == l.Relation {
				found = true
				if l.Mode > into[i].Mode {
					into[i].Mode = l.Mode
				}
				into[i].Rewrite = into[i].Rewrite || l.Rewrite
				into[i].Scan = into[i].Scan || l.Scan
			}
		}
		if !found {
			into = append(into, l)
		}
	}
	return into
}
