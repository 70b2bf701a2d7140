package source

import (
	"io/fs"
	"path"
	"strings"
)

// Statement is one SQL statement and its arguments ($1, $2...).
type Statement struct {
	SQL  string
	Args []any
}

// Bookkeeper is implemented by formats whose tool records in tables of its
// own which migrations it applied, and reads them when it migrates on
// start. phasegate applies migrations with its own runner, so before a
// release's test suite runs it writes those tables itself: the release's
// own migrate-on-start must find nothing to do and no error, although the
// database may also hold migrations the release does not have (the
// change's, or the deferred ones).
type Bookkeeper interface {
	// Bookkeeping returns the statements that write the tool's tables for
	// a database to which applied were applied, in that order, as release
	// (the migrations of the version whose code runs) must find it. dir is
	// the migrations directory; fsys holds the files of release and of
	// applied (the release's version of a file wins), for the checksums
	// some tools keep. Run in one transaction, the statements replace
	// whatever the tables held.
	Bookkeeping(dir string, release, applied []Migration, fsys fs.FS) ([]Statement, error)
}

// Tables is implemented by formats whose tool keeps tables of its own: its
// version table, its lock table, its registry. They are not the
// application's schema.
type Tables interface {
	// ToolTables names them: "schema.table" for a table in a schema the
	// tool owns (sqitch's registry), "table" for one in any schema.
	ToolTables() []string
}

// IsToolTable reports whether schema.name is a table some format's tool
// keeps for itself (see Tables).
func IsToolTable(schema, name string) bool {
	for _, f := range Formats {
		t, ok := f.(Tables)
		if !ok {
			continue
		}
		for _, n := range t.ToolTables() {
			if n == name || n == schema+"."+name {
				return true
			}
		}
	}
	return false
}

// stmts collects statements.
type stmts []Statement

func (s *stmts) add(sql string, args ...any) { *s = append(*s, Statement{SQL: sql, Args: args}) }

// byPath indexes migrations by path.
func byPath(ms []Migration) map[string]Migration {
	out := make(map[string]Migration, len(ms))
	for _, m := range ms {
		out[m.Path] = m
	}
	return out
}

// known returns the applied migrations of format the release has, in the
// order they were applied: what a tool that refuses unknown rows may see.
func known(format string, release, applied []Migration) []Migration {
	has := byPath(release)
	var out []Migration
	for _, m := range applied {
		if _, ok := has[m.Path]; ok && m.Format == format && m.Skip == "" {
			out = append(out, m)
		}
	}
	return out
}

// ofFormat returns the applied migrations that are the format's own (not
// a deferred directory's plain files, not duplicates).
func ofFormat(format string, applied []Migration) []Migration {
	var out []Migration
	for _, m := range applied {
		if m.Format == format {
			out = append(out, m)
		}
	}
	return out
}

// relPath is p relative to dir, for tools that record a file's path
// relative to their migrations directory; p's base name when p is
// elsewhere (a deferred directory).
func relPath(dir, p string) string {
	if dir == "" || dir == "." {
		return p
	}
	if rest, ok := strings.CutPrefix(p, strings.TrimSuffix(dir, "/")+"/"); ok {
		return rest
	}
	return path.Base(p)
}
