package source

import (
	"fmt"
	"strings"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// Cutter is implemented by formats whose tool cuts a file into statements
// by rules of its own rather than PostgreSQL's grammar. Cut returns a
// *sqltext.Error at the first place where the tool would cut a statement
// that PostgreSQL's parser reads whole (a function body or a DO block whose
// lines end in ";"): the tool then sends half a statement, and the
// migration fails where phasegate's own runner would have applied it.
type Cutter interface {
	Cut(src []byte, script Script, stmts []*sqltext.Statement) error
}

// Cut for goose: outside StatementBegin/StatementEnd, a line whose last
// word (before a -- comment) ends in ";" ends the statement.
func (Goose) Cut(src []byte, script Script, stmts []*sqltext.Statement) error {
	return cutAtSemicolonLines(src, script, stmts, "goose", "-- +goose StatementBegin", "-- +goose StatementEnd")
}

// Cut for sql-migrate, whose parser is goose's: the same rule.
func (SQLMigrate) Cut(src []byte, script Script, stmts []*sqltext.Statement) error {
	return cutAtSemicolonLines(src, script, stmts, "sql-migrate", "-- +migrate StatementBegin", "-- +migrate StatementEnd")
}

func cutAtSemicolonLines(src []byte, script Script, stmts []*sqltext.Statement, tool, begin, end string) error {
	for _, s := range stmts {
		if inBlock(script.Blocks, s.Start) {
			continue
		}
		lines := strings.Split(string(src[s.Start:s.End]), "\n")
		for i, l := range lines[:len(lines)-1] {
			if lastWordEndsStatement(l) {
				pos := sqltext.Position{Line: s.Pos.Line + i, Column: 1}
				return &sqltext.Error{Pos: pos, Message: fmt.Sprintf(
					"%s ends a statement at a line ending in \";\", and this one goes on after it (to line %d); wrap the statement in %q and %q",
					tool, s.Pos.Line+len(lines)-1, begin, end)}
			}
		}
	}
	return nil
}

// lastWordEndsStatement is goose's endsWithSemicolon.
func lastWordEndsStatement(line string) bool {
	prev := ""
	for _, w := range strings.Fields(line) {
		if strings.HasPrefix(w, "--") {
			break
		}
		prev = w
	}
	return strings.HasSuffix(prev, ";")
}

func inBlock(blocks []sqltext.Region, at int) bool {
	for _, b := range blocks {
		if b.Start <= at && at < b.End {
			return true
		}
	}
	return false
}

var (
	liquibaseSplit     = lazyRegexp(`(?i)\bsplitStatements:(\S+)`)
	liquibaseDelimiter = lazyRegexp(`(?i)\bendDelimiter:\S+`)
	dollarQuote        = lazyRegexp(`\$[A-Za-z_]*\$`)
)

// Cut for Liquibase: a changeset splits its SQL at ";" unless it says
// splitStatements:false (or gives an endDelimiter), and its splitter does
// not know PostgreSQL's dollar quoting: a dollar-quoted body that holds
// ";" is cut.
func (Liquibase) Cut(src []byte, script Script, stmts []*sqltext.Statement) error {
	type changeset struct {
		start int
		split bool
	}
	var sets []changeset
	for _, l := range lines(src) {
		if liquibaseChangeset().MatchString(l.text) {
			m := liquibaseSplit().FindStringSubmatch(l.text)
			off := m != nil && strings.EqualFold(m[1], "false") || liquibaseDelimiter().MatchString(l.text)
			sets = append(sets, changeset{start: l.start, split: !off})
		}
	}
	k := -1 // the changeset that holds the statement
	for _, s := range stmts {
		for k+1 < len(sets) && sets[k+1].start <= s.Start {
			k++
		}
		if k >= 0 && !sets[k].split {
			continue
		}
		if LiquibaseWouldCut(string(src[s.Start:s.End])) {
			return &sqltext.Error{Pos: s.Pos, Message: "Liquibase splits a changeset's SQL at \";\" and does not read dollar quotes: this dollar-quoted body would be cut; add splitStatements:false to its --changeset line"}
		}
	}
	return nil
}

// Blocker is implemented by formats whose files can mark a span that the
// tool sends as one statement, whatever its lines end with.
type Blocker interface {
	BlockMarkers() (begin, end string)
}

func (Goose) BlockMarkers() (string, string) {
	return "-- +goose StatementBegin", "-- +goose StatementEnd"
}

func (SQLMigrate) BlockMarkers() (string, string) {
	return "-- +migrate StatementBegin", "-- +migrate StatementEnd"
}

// CutInside reports whether a goose-style parser would end statement sql
// before its end: a line before its last whose last word ends in ";".
func CutInside(sql string) bool {
	lines := strings.Split(strings.TrimRight(sql, "\n"), "\n")
	for _, l := range lines[:len(lines)-1] {
		if lastWordEndsStatement(l) {
			return true
		}
	}
	return false
}

// LiquibaseNoSplit returns src with splitStatements:false on the
// --changeset line that governs offset at (the changeset then goes to the
// database as one string, which PostgreSQL's JDBC driver splits knowing
// dollar quotes).
func LiquibaseNoSplit(src []byte, at int) []byte {
	var set line
	found := false
	for _, l := range lines(src) {
		if l.start > at {
			break
		}
		if liquibaseChangeset().MatchString(l.text) {
			set, found = l, true
		}
	}
	if !found || liquibaseSplit().MatchString(set.text) {
		return src
	}
	end := set.start + len(strings.TrimRight(set.text, " \t\r"))
	out := append([]byte{}, src[:end]...)
	out = append(out, " splitStatements:false"...)
	return append(out, src[end:]...)
}

// LiquibaseWouldCut reports SQL that Liquibase's splitter would cut: a
// dollar-quoted body holding ";".
func LiquibaseWouldCut(sql string) bool {
	return dollarQuote().MatchString(sql) && strings.Contains(sql, ";")
}
