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

// Detect returns the format of the migrations in dir.
func Detect(fsys fs.FS, dir string) (Format, error) {
	fsys = CacheDirs(fsys)
	for _, f := range Formats {
		if f.Detect(fsys, dir) {
			return f, nil
		}
	}
	return nil, fmt.Errorf("no migrations found in %s: no .sql files of a known format (set migrations.format in the config if the files are there)", dir)
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
