// Package source finds and orders the migration files of one migration
// tool's directory, and says which part of each file the tool runs and
// whether it runs it in a transaction.
//
// Each supported tool is a Format in a file of its own. Formats read
// through fs.FS, so the same code lists the working tree and any git commit.
// Paths are slash-separated and relative to the root of that file system
// (the repository root).
package source

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/phasegate/phasegate/internal/spell"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Kind distinguishes migrations applied once from those re-applied when
// they change.
type Kind int

const (
	Versioned Kind = iota
	// Repeatable migrations (Flyway's R__) are re-applied whenever their
	// checksum changes, after the versioned ones.
	Repeatable
	// Checkpoint migrations (Atlas's atlas:checkpoint) stand for the
	// history before them and run only on an empty database: production
	// never runs one.
	Checkpoint
)

// TxMode says how the migration tool runs a file's statements.
type TxMode int

const (
	// TxFile: the tool wraps the whole file in one transaction.
	TxFile TxMode = iota
	// TxImplicit: the tool sends the file as one multi-statement query, which
	// PostgreSQL runs as one implicit transaction (when it holds more than
	// one statement).
	TxImplicit
	// TxNone: every statement is sent on its own and commits on its own
	// (psql without --single-transaction, goose NO TRANSACTION).
	TxNone
	// TxAuto: Flyway's rule: one transaction, unless the file holds a
	// statement Flyway knows PostgreSQL cannot run in one (CREATE/DROP INDEX
	// CONCURRENTLY, VACUUM...); then every statement on its own.
	TxAuto
)

func (m TxMode) String() string {
	switch m {
	case TxFile:
		return "transaction"
	case TxImplicit:
		return "implicit transaction"
	case TxNone:
		return "no transaction"
	case TxAuto:
		return "transaction unless non-transactional statements"
	}
	return "unknown"
}

// Migration is one migration file as the tool sees it.
type Migration struct {
	Path    string // relative to the repository root, slash-separated
	Format  string // the Format's name
	Version string // as written in the name; "" for repeatable migrations
	Name    string // description part of the name
	Kind    Kind
	// Skip, if set, says why the file holds nothing phasegate can read (a
	// goose Go migration, a pop fizz file); it is listed for order only.
	Skip string
	// NoTx is set when the tool is told outside the file not to use a
	// transaction (Diesel's metadata.toml, pop's .autocommit. files).
	NoTx bool
}

// Script is the part of a migration file the tool runs forward, and how.
type Script struct {
	// Regions of the file that hold the forward SQL; nil for the whole file.
	Regions []sqltext.Region
	Tx      TxMode
	// Blocks are spans of the forward SQL the tool sends as one unit
	// (goose's StatementBegin ... StatementEnd, markers included): their
	// statements cannot be separated.
	Blocks []sqltext.Region
}

// Format is one migration tool's conventions.
type Format interface {
	// Name is the format's config name, e.g. "golang-migrate".
	Name() string
	// Detect reports whether dir holds migrations of this format.
	Detect(fsys fs.FS, dir string) bool
	// List returns the migrations of dir in the order the tool applies them.
	List(fsys fs.FS, dir string) ([]Migration, error)
	// Script says which part of a migration file runs forward, and how. An
	// error for a malformed file is a *sqltext.Error with a position.
	Script(m Migration, src []byte) (Script, error)
}

// Rendered is implemented by formats whose files are not SQL: their SQL
// comes from running the ORM (package render), and is read in place of
// the files.
type Rendered interface {
	Rendered() bool
}

// Formats lists every supported format, most specific first: that is the
// order Detect tries them in.
var Formats = []Format{
	Sqitch{}, Atlas{}, Liquibase{}, Alembic{}, Django{}, Prisma{}, Diesel{}, Pop{}, GolangMigrate{}, Goose{}, SQLMigrate{}, Dbmate{}, Flyway{}, Plain{}, Capture{},
}

// Lookup returns the format with the given config name. An unknown name
// is an error that names the formats nearest to it, then all of them.
func Lookup(name string) (Format, error) {
	var names []string
	for _, f := range Formats {
		if f.Name() == name {
			return f, nil
		}
		names = append(names, f.Name())
	}
	all := "; the formats are "
	if near := spell.DidYouMean(name, names, "%q"); near != "" {
		all = near + " The formats are "
	}
	return nil, fmt.Errorf("unknown migration format %q%s%s", name, all, strings.Join(names, ", "))
}

// Detect returns the format of the migrations in dir: a *FormatError
// when no format recognises them.
func Detect(fsys fs.FS, dir string) (Format, error) {
	fsys = CacheDirs(fsys)
	for _, f := range Formats {
		if f.Detect(fsys, dir) {
			return f, nil
		}
	}
	return nil, &FormatError{Dir: dir}
}

// NoMigrations says why f lists no migration in dir; call it when f.List
// returned none. It is a *FormatError when dir holds the migrations of
// another tool, or .sql files f does not take (the format is wrong), and
// nil when dir holds neither: the directory of a project that has no
// migration yet, or of a tool whose list is empty (a plan without changes).
func NoMigrations(fsys fs.FS, dir string, f Format) error {
	like, err := Detect(fsys, dir)
	if err != nil || like.Name() == f.Name() {
		return nil
	}
	e := &FormatError{Dir: dir, Format: f.Name()}
	if !IsFallback(like) {
		e.Like = like.Name()
	}
	if ms, _ := like.List(fsys, dir); len(ms) > 0 {
		e.Example = ms[0].Path
	}
	return e
}

// FormatError is a migrations directory read with the wrong format, or
// whose format detection cannot tell. Its message says what is wrong, then
// Fix, which the caller sets in the terms the user gives the format in (a
// key of the config file, a flag).
type FormatError struct {
	// Dir is the directory, as the user knows it.
	Dir string
	// Format is the format it is read as; "" when it was to be detected
	// (and detection found no migration).
	Format string
	// Like is the format whose file names the directory's files have,
	// when it is another tool's ("" for .sql files of no tool's naming).
	Like string
	// Example is one of those files, as the user knows it ("" if none).
	Example string
	// Fix says what to do; "" for advice that names no setting.
	Fix string
}

func (e *FormatError) Error() string {
	var msg string
	switch {
	case e.Format == "":
		msg = fmt.Sprintf("no migrations found in %s: no .sql files of a known format", e.Dir)
	case e.Like != "":
		msg = fmt.Sprintf("%s holds no %s migration: its files are named as %s names migrations", e.Dir, e.Format, e.Like)
	default:
		msg = fmt.Sprintf("%s holds .sql files, none named as %s names migrations nor as another tool does", e.Dir, e.Format)
	}
	if e.Example != "" {
		msg += " (such as " + e.Example + ")"
	}
	fix := e.Fix
	switch {
	case fix != "":
	case e.Format == "":
		fix = "if migrations are there, give their format"
	case e.Like != "":
		fix = "give the format " + e.Like + ", or none to detect it"
	default:
		fix = "check the format: docs/formats.md shows each format's file names"
	}
	return msg + "; " + fix
}

// readDir lists a directory, treating a missing directory as empty.
func readDir(fsys fs.FS, dir string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil && isNotExist(err) {
		return nil, nil
	}
	return entries, err
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// files returns the regular files of dir (not recursing), sorted by name.
func files(fsys fs.FS, dir string) ([]string, error) {
	entries, err := readDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// sqlFiles returns the names, without ".sql", of the .sql files of dir
// (not recursing), sorted.
func sqlFiles(fsys fs.FS, dir string) ([]string, error) {
	names, err := files(fsys, dir)
	var out []string
	for _, n := range names {
		if path.Ext(n) == ".sql" {
			out = append(out, strings.TrimSuffix(n, ".sql"))
		}
	}
	return out, err
}

// subdirs returns the directories of dir (not recursing), sorted by name.
func subdirs(fsys fs.FS, dir string) ([]string, error) {
	entries, err := readDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// join is path.Join that keeps "." out of results.
func join(dir, name string) string {
	if dir == "" || dir == "." {
		return name
	}
	return path.Join(dir, name)
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}
