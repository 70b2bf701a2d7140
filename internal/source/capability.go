package source

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// The optional capabilities of a Format. Each is an interface a format
// implements in its own file when its tool behaves that way; callers find
// it by type assertion (most through the function beside it, which holds
// the default for formats without it), so that no package outside source
// switches on a format's name or type. The others are Namer and Inserter
// (naming.go), Bookkeeper and Tables (bookkeeping.go), VersionTabler
// (versiontable.go), Blocker and Cutter (cut.go), Templated (read.go),
// Rendered (source.go) and Reviser (alembic_revision.go).

// DeferredLayout is implemented by formats that say where their deferred
// contract migrations live (a directory the tool does not read) and in
// what format phasegate reads them there. Without it: the directory
// "<migrations>-deferred" beside the migrations, of plain SQL files.
type DeferredLayout interface {
	// DeferredDir is the default deferred directory of migrationsDir.
	DeferredDir(migrationsDir string) string
	// DeferredFormat is the format of the deferred directory: the
	// format itself when its files name themselves (they keep their
	// version and annotations), Plain otherwise.
	DeferredFormat() Format
}

// DeferredDir returns f's default deferred directory for migrationsDir.
func DeferredDir(f Format, migrationsDir string) string {
	if l, ok := f.(DeferredLayout); ok {
		return l.DeferredDir(migrationsDir)
	}
	return besideDeferred(migrationsDir)
}

// besideDeferred is the deferred directory beside migrationsDir, for tools
// that read their directory recursively.
func besideDeferred(migrationsDir string) string {
	return strings.TrimSuffix(migrationsDir, "/") + "-deferred"
}

// insideDeferred is the deferred directory inside migrationsDir, for tools
// that do not look into subdirectories.
func insideDeferred(migrationsDir string) string { return path.Join(migrationsDir, "deferred") }

// DeferredFormat returns the format of f's deferred directory.
func DeferredFormat(f Format) Format {
	if l, ok := f.(DeferredLayout); ok {
		return l.DeferredFormat()
	}
	return Plain{}
}

// DeferredNamer is implemented by formats whose migration names need more
// than "_contract" before the extension to name the deferred copy of a
// migration (golang-migrate's 1_a.up.sql, Prisma's directory per
// migration).
type DeferredNamer interface {
	// DeferredPath names, in deferredDir, the deferred part of m.
	DeferredPath(deferredDir string, m Migration) string
}

// DeferredPath names, in deferredDir, the deferred part of m: m's name
// with "_contract", in f's naming scheme (the follow-up bot gives it its
// final version).
func DeferredPath(f Format, deferredDir string, m Migration) string {
	if n, ok := f.(DeferredNamer); ok {
		return n.DeferredPath(deferredDir, m)
	}
	base := path.Base(m.Path)
	ext := path.Ext(base)
	return path.Join(deferredDir, strings.TrimSuffix(base, ext)+"_contract"+ext)
}

// contractDir names the deferred part of a migration that is a directory
// of its own (Prisma, Diesel): the directory with "_contract".
func contractDir(deferredDir string, m Migration) string {
	parent := path.Base(path.Dir(m.Path))
	return path.Join(deferredDir, parent+"_contract", path.Base(m.Path))
}

// contractFirstDot names the deferred part of a migration whose name has
// more than one extension (1_a.up.sql): "_contract" before the first dot.
func contractFirstDot(deferredDir string, m Migration) string {
	base := path.Base(m.Path)
	i := strings.Index(base, ".")
	return path.Join(deferredDir, base[:i]+"_contract"+base[i:])
}

// DirPerMigration is implemented by formats that keep each migration in a
// directory of its own (Prisma, Diesel): a directory emptied of its files
// must go, or the tool takes it for a migration.
type DirPerMigration interface {
	DirPerMigration() bool
}

// IsDirPerMigration reports whether f keeps each migration in a directory
// of its own.
func IsDirPerMigration(f Format) bool {
	d, ok := f.(DirPerMigration)
	return ok && d.DirPerMigration()
}

// TxSeparator is implemented by formats whose tool can run a migration
// whose statements must not all share one transaction.
type TxSeparator interface {
	// Separation is how: TxImplicit, as one implicit transaction that a
	// COMMIT statement divides (the tool sends the file as one query), or
	// TxNone, each statement on its own (the tool's no-transaction
	// marker, which MigrationWriter and TxConfigFiler write).
	Separation() TxMode
}

// Separation is how f's tool runs a migration whose statements must not
// all share one transaction (TxSeparator); ok is false when the tool
// always wraps a migration in one transaction.
func Separation(f Format) (tx TxMode, ok bool) {
	if s, ok := f.(TxSeparator); ok {
		return s.Separation(), true
	}
	return 0, false
}

// TxAdvisor is implemented by formats whose tool can be told to run a
// statement outside a transaction.
type TxAdvisor interface {
	// NoTxFix says how, as advice to the file's author.
	NoTxFix() string
}

// NoTxFix says how to run a statement outside a transaction with format
// f's tool; "" when it cannot be told.
func NoTxFix(f Format) string {
	if a, ok := f.(TxAdvisor); ok {
		return a.NoTxFix()
	}
	return ""
}

// SetAdvisor is implemented by formats whose migration files are not the
// SQL the tool runs (the ORMs' code, a capture's files): a SET written
// into the file would not run, so they say how the migration runs one.
// Without it, a SET goes on a line of the file before the statement.
type SetAdvisor interface {
	// SetFix says how to make the migration, which the tool runs in mode
	// tx, run SET name = value (value a SQL literal) on the connection that
	// runs its operation at line of the migration file (0 if unknown),
	// right before that operation: an earlier SET may be undone before it.
	SetFix(name, value string, line int, tx TxMode) string
}

// SetFix says how to make a migration of format f run SET name = value
// before its operation at line (see SetAdvisor); "" when the SET goes
// into the file's SQL.
func SetFix(f Format, name, value string, line int, tx TxMode) string {
	if a, ok := f.(SetAdvisor); ok {
		return a.SetFix(name, value, line, tx)
	}
	return ""
}

// rightBefore places code right before the line of an operation, or
// where it runs first (atTop) when the line is unknown (0).
func rightBefore(line int, atTop string) string {
	if line <= 0 {
		return atTop
	}
	return fmt.Sprintf("on a line of its own right before line %d, at its indent", line)
}

// TxConfigFiler is implemented by formats whose tool reads how to run a
// migration from a file beside it (Diesel's metadata.toml, Flyway's
// script configuration).
type TxConfigFiler interface {
	// ConfigFile names the file that configures the migration at p.
	ConfigFile(p string) string
	// TxConfig returns that file's content telling the tool to run the
	// migration in mode tx, keeping the other settings of base (the file
	// the migration had, "" if none); ok is false when mode tx needs no
	// file.
	TxConfig(tx TxMode, base string) (content string, ok bool)
}

// setting returns a key=value file with key set by line, its other lines
// kept.
func setting(file, key, line string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(file, "\n"), "\n") {
		if l != "" && !strings.HasPrefix(strings.TrimSpace(l), key) {
			out = append(out, l)
		}
	}
	return strings.Join(append(out, line), "\n") + "\n"
}

// MigrationWriter is implemented by formats whose files need more than
// their SQL: section markers, a down section, a transaction directive.
// Without it a new migration is its header and up SQL.
type MigrationWriter interface {
	// WriteMigration builds a new migration: header (comment lines), the
	// up and down SQL, in transaction mode tx (the tool's usual one, or
	// its Separation). src is the migration it comes from, and suffix
	// what this one is (Liquibase names its changeset after src's first
	// with the suffix: "2-contract").
	WriteMigration(header, up, down string, tx TxMode, src, suffix string) string
}

// WriteMigration builds a new migration of format f (see MigrationWriter),
// ending with a newline.
func WriteMigration(f Format, header, up, down string, tx TxMode, src, suffix string) string {
	s := header + up
	if w, ok := f.(MigrationWriter); ok {
		s = w.WriteMigration(header, up, down, tx, src, suffix)
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// DownFiler is implemented by formats that keep a migration's down (or
// revert) SQL in a file of its own.
type DownFiler interface {
	// DownPath names the down file of the migration at up.
	DownPath(up string) string
}

// InlineDowner is implemented by formats that keep a migration's down SQL
// in the file, in a section after the up one: the up Region of Script
// ends where the down section's marker starts.
type InlineDowner interface {
	InlineDown() bool
}

// HasInlineDown reports whether f keeps the down SQL in the migration file.
func HasInlineDown(f Format) bool {
	d, ok := f.(InlineDowner)
	return ok && d.InlineDown()
}

// OutOfOrderPolicy is implemented by formats whose tool mishandles a new
// migration that sorts before migrations already applied.
type OutOfOrderPolicy interface {
	// OutOfOrderEffect says what the tool does with it.
	OutOfOrderEffect() string
}

// OutOfOrderEffect says what f's tool does with a new migration that
// sorts before applied ones; "" when it applies it as any other.
func OutOfOrderEffect(f Format) string {
	if p, ok := f.(OutOfOrderPolicy); ok {
		return p.OutOfOrderEffect()
	}
	return ""
}

// LineEditable is implemented by formats whose migration files may be
// edited line for line by a suggested fix: a new file of theirs runs as
// written. Not Atlas (atlas.sum), Liquibase (changesets the tool may send
// whole) or the rendered formats (the file under review is not SQL).
type LineEditable interface {
	LineEditable() bool
}

// IsLineEditable reports whether f's files may get line edits.
func IsLineEditable(f Format) bool {
	e, ok := f.(LineEditable)
	return ok && e.LineEditable()
}

// Checksummed is implemented by formats whose tool refuses a directory
// whose files do not match a checksum file it keeps (Atlas's atlas.sum).
type Checksummed interface {
	// ChecksumFile is the file's path in dir.
	ChecksumFile(dir string) string
	// CheckSum checks the files of dir against it.
	CheckSum(fsys fs.FS, dir string) error
	// Sum returns the checksum file for the files of dir.
	Sum(fsys fs.FS, dir string) ([]byte, error)
}

// Changelog is implemented by formats whose files are changelogs of
// changesets (Liquibase): a changeset appended to an applied file runs on
// every database, as a new migration would, and each changeset is a
// migration of its own (a new one per step that must run apart).
type Changelog interface {
	Changelog() bool
}

// IsChangelog reports whether f's files are changelogs.
func IsChangelog(f Format) bool {
	c, ok := f.(Changelog)
	return ok && c.Changelog()
}

// SubdirOwner is implemented by formats whose tool reads the
// subdirectories of its directory (recursively, or as one migration each):
// a directory of migrations found inside belongs to it.
type SubdirOwner interface {
	OwnsSubdirs() bool
}

// OwnsSubdirs reports whether f's tool reads the subdirectories of its
// directory.
func OwnsSubdirs(f Format) bool {
	o, ok := f.(SubdirOwner)
	return ok && o.OwnsSubdirs()
}

// Fallback is implemented by the format that takes any directory of .sql
// files (Plain): discovery counts it only where the directory's name says
// it holds migrations.
type Fallback interface {
	Fallback() bool
}

// IsFallback reports whether f takes any directory of .sql files.
func IsFallback(f Format) bool {
	b, ok := f.(Fallback)
	return ok && b.Fallback()
}

// WholeSender is implemented by formats whose tool cuts a unit of a file
// (Liquibase's changeset) at every ";", dollar quotes or not, unless the
// unit is marked to go to the database whole.
type WholeSender interface {
	// SendWhole returns src with the unit that governs offset at so
	// marked (Liquibase's splitStatements:false).
	SendWhole(src []byte, at int) []byte
}

// VersionOnly is implemented by formats whose tool records only which
// migrations ran (a version or a name), never their content: an applied
// migration whose statements are unchanged (a comment, the layout) runs
// the same on every database. Flyway, Liquibase, Atlas, Prisma and sqitch
// record a checksum and refuse or warn about any change; an unknown tool
// (plain, capture) may too.
type VersionOnly interface {
	RecordsVersionOnly() bool
}

// RecordsVersionOnly reports whether f's tool records only which
// migrations ran.
func RecordsVersionOnly(f Format) bool {
	v, ok := f.(VersionOnly)
	return ok && v.RecordsVersionOnly()
}
