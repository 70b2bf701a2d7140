// Package lint is the static check of a change (base revision to head
// revision): it finds what the change does to the migrations, replays the
// migrations of the base revision into a schema catalog, then feeds the
// added and edited migrations of the head, in apply order, to the checker
// (Check, in check.go). Files judges migration files outside git.
//
// It is the I/O side of the static check (git, files); checker stays pure.
package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Options say what to compare and how to judge it.
type Options struct {
	Repo *git.Repo
	// Base is the revision the change is compared with; its merge base with
	// the head is used.
	Base string
	// Head is the revision under review; empty means the work tree.
	Head string
	// Dir and Format locate the migrations; empty means detect.
	Dir, Format string
	// DeferredDir holds deferred contract migrations; empty means the
	// format's default (package deferred).
	DeferredDir string
	Checker     checker.Options
	// Render says how to run the ORM of a rendered format (Alembic).
	Render RenderOptions
	// Source configures the format (pop's template options).
	Source source.Settings
	// Before, if set, is called before each statement of a new or edited
	// active migration is judged, with the catalog as the history and the
	// statements before it left it (see checker.Input.Before).
	Before func(path string, i int, cat *schema.Catalog)
}

// Result is the static verdict on a change.
type Result struct {
	BaseCommit  string
	HeadCommit  string // empty for the work tree
	Dir         string
	Format      string
	DeferredDir string
	// Files are the judged files in apply order, then removed migrations.
	Files []checker.FileResult
	// Errors are files that could not be read or parsed.
	Errors []FileError
	// Gaps are statements of the base history whose effect on the schema
	// could not be replayed.
	Gaps []schema.Gap
	// Migrations is the head's migration list; Changed marks the new and
	// edited ones.
	Migrations []source.Migration
	Changed    map[string]git.Status
	// Catalog is the schema after the change.
	Catalog *schema.Catalog
	// HeadRendering and BaseRendering are the migrations of the head and
	// of the base as the ORM rendered them, for a format whose migrations
	// are code (nil otherwise): the runtime check applies them.
	HeadRendering, BaseRendering *Rendering
}

// FileError is a file phasegate could not read, at a position when known.
type FileError struct {
	Path string
	Pos  sqltext.Position
	Msg  string
}

func (e FileError) Error() string {
	if e.Pos.Line == 0 {
		return e.Path + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Pos.Line, e.Pos.Column, e.Msg)
}

// Locate finds the migrations directory and format among files (the
// repository's file list), or takes them from the config (dir, format).
// A format the config names is looked up first: a misspelt name is the
// error, whatever the directory. A format the config names whose
// migrations are nowhere, while another tool's are, is an error that
// names them (a *source.FormatError for one directory).
func Locate(fsys fs.FS, files []string, dir, format string) (source.Format, string, error) {
	var f source.Format
	if format != "" && format != "auto" {
		var err error
		if f, err = source.Lookup(format); err != nil {
			return nil, "", err
		}
	}
	dir = configuredDir(dir)
	if dir != "" {
		if _, err := fs.Stat(fsys, dir); err != nil {
			return nil, "", fmt.Errorf("migrations.dir %q does not exist at the head revision", dir)
		}
		if f != nil {
			return f, dir, nil
		}
		f, err := source.Detect(fsys, dir)
		return f, dir, err
	}
	cands := Discover(fsys, files)
	if f != nil {
		// The directories the format lists migrations in, though
		// detection took another format first (the config overrides
		// detection: pop's files may be named as golang-migrate's).
		var same []Candidate
		for _, c := range cands {
			if c.Format.Name() == f.Name() || lists(fsys, c.Dir, f) {
				same = append(same, Candidate{Dir: c.Dir, Format: f})
			}
		}
		switch {
		case len(same) == 0 && len(cands) == 1:
			if err := source.NoMigrations(fsys, cands[0].Dir, f); err != nil {
				return nil, "", err
			}
		case len(same) == 0 && len(cands) > 1:
			return nil, "", fmt.Errorf("no %s migrations found in the repository, only %s; set migrations.dir and migrations.format in .github/phasegate.yml to the directory to check and its format", f.Name(), candidates(cands))
		}
		cands = same
	}
	c, err := Choose(cands)
	if err != nil {
		return nil, "", err
	}
	return c.Format, c.Dir, nil
}

// lists reports whether f lists any migration in dir.
func lists(fsys fs.FS, dir string, f source.Format) bool {
	ms, err := f.List(fsys, dir)
	return err == nil && len(ms) > 0
}

// configuredDir is a directory as the config or a flag gives it, relative
// to the repository's root: "" when none is given (or "./", "/"), "." for
// the root itself, else a clean slash-separated path.
func configuredDir(dir string) string {
	dir = strings.Trim(strings.TrimPrefix(dir, "./"), "/")
	if dir == "" {
		return ""
	}
	return path.Clean(dir)
}

func fileError(path string, err error) FileError {
	var se *sqltext.Error
	if errors.As(err, &se) {
		return FileError{Path: path, Pos: se.Pos, Msg: se.Message}
	}
	return FileError{Path: path, Msg: err.Error()}
}

// changedStatements returns a Judge that accepts the statements of an
// edited migration that the base version of the file (nil when it could
// not be read) does not have.
func changedStatements(base *sqltext.File) func(*sqltext.Statement) bool {
	seen := map[string]int{}
	if base != nil {
		for _, s := range base.Statements {
			seen[normalize(s.Text)]++
		}
	}
	return func(s *sqltext.Statement) bool {
		k := normalize(s.Text)
		if seen[k] > 0 {
			seen[k]--
			return false
		}
		return true
	}
}

// sameStatements reports a migration that runs the same statements in
// its base version (base, run as baseScript) as in f (run as script), the
// same way: the statements are the same as written or as deparsed (a
// comment or a line break inside one), the tool runs the file in the same
// transaction mode, and its directives (goose's and sql-migrate's "-- +",
// dbmate's "-- migrate:", Atlas's, the phasegate directives) are the
// same. Only its comments or layout changed. Whitespace inside a literal
// is a change: deparsing keeps it.
func sameStatements(base *sqltext.File, baseScript source.Script, f *sqltext.File, script source.Script) bool {
	if len(base.Statements) != len(f.Statements) || baseScript.Tx != script.Tx || !slices.Equal(directiveLines(base.Src), directiveLines(f.Src)) {
		return false
	}
	for i, s := range base.Statements {
		if s.Text == f.Statements[i].Text {
			continue
		}
		x, errX := pg.DeparseStmt(s.Node)
		y, errY := pg.DeparseStmt(f.Statements[i].Node)
		if errX != nil || errY != nil || x != y {
			return false
		}
	}
	return true
}

// directiveLines are the comment lines of a migration a tool or phasegate
// reads as instructions.
func directiveLines(src []byte) []string {
	var out []string
	for _, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(t, "--")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, "+") || strings.HasPrefix(rest, "migrate:") || strings.HasPrefix(rest, "atlas:") || strings.HasPrefix(rest, "phasegate:") {
			out = append(out, strings.Join(strings.Fields(t), " "))
		}
	}
	return out
}

// normalize collapses whitespace so re-indenting a statement is no change.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// sameContent reports a file that reads the same in both trees.
func sameContent(a, b fs.FS, p string) bool {
	x, errA := fs.ReadFile(a, p)
	y, errB := fs.ReadFile(b, p)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

// appendedOnly reports a file whose head version only adds text after the
// base version's.
func appendedOnly(base, head fs.FS, p string) bool {
	b, errB := fs.ReadFile(base, p)
	h, errH := fs.ReadFile(head, p)
	return errB == nil && errH == nil && bytes.HasPrefix(h, bytes.TrimRight(b, " \t\r\n"))
}
