// Package checker assigns every migration statement a phase (expand,
// contract, unknown) and finds its lock and rewrite hazards.
//
// It is pure: a Checker holds the schema catalog as of the base revision
// and is fed the changed migration files one at a time, in apply order;
// each file's statements are judged against the catalog as the earlier
// statements left it, so objects the change itself creates carry no risk.
// Rules live one per file (rule_*.go), as data plus a small function:
// a hook that judges a statement (Check), a whole file (File), a change to
// the migration history (History) or the locks the runtime check measured
// (Runtime).
//
// The engine: engine.go judges and replays a file statement by statement,
// session.go is what the earlier statements did to the connection (its
// transaction, timeouts, locks held), doblock.go places the statements of
// a DO block in the file, directives.go applies phasegate:ignore and
// phasegate:phase.
package checker

import (
	"errors"
	"fmt"
	"path"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// DefaultVersion is the PostgreSQL major version assumed when the config
// names none.
const DefaultVersion = 16

// ErrUnsupportedVersion is a target version that is not a PostgreSQL major
// version phasegate knows.
var ErrUnsupportedVersion = errors.New("unsupported PostgreSQL version")

// TargetVersion is the major version verdicts are made for: v, or
// DefaultVersion when v is 0. A version outside 9 to 30 (a minor version,
// a typo) is an ErrUnsupportedVersion.
func TargetVersion(v int) (int, error) {
	if v == 0 {
		return DefaultVersion, nil
	}
	if v < 9 || v > 30 {
		return v, fmt.Errorf("%w %d: give the major version, e.g. 16", ErrUnsupportedVersion, v)
	}
	return v, nil
}

// Options configure a Checker.
type Options struct {
	// Version is the target PostgreSQL major version.
	Version int
	// Severity overrides rule severities by rule id; Off disables a rule.
	Severity map[string]Severity
	// Ignore lists rules to ignore in files matching a path pattern.
	Ignore []IgnoreRule
	// LockTimeout says the migration tool or role already sets lock_timeout,
	// so files need not.
	LockTimeout bool
}

// IgnoreRule silences rules in files whose path matches Path (a
// path.Match pattern, or a directory prefix ending in "/").
type IgnoreRule struct {
	Path  string
	Rules []string // rule ids; "*" for all
}

// Input is one migration file to judge.
type Input struct {
	Migration source.Migration
	Tx        source.TxMode
	File      *sqltext.File
	// Judge reports whether a statement is part of the change; statements
	// it rejects were applied by the base replay and are skipped (used for
	// edited migrations). Nil judges every statement.
	Judge func(s *sqltext.Statement) bool
	// Deferred marks a deferred contract migration: it runs after the next
	// release, so its compatibility findings are expected (reported at
	// info) while its locking findings stand.
	Deferred bool
	// Followup marks an active migration that carries a deferred
	// migration's header: the follow-up bot moved it in because the release
	// that stopped using what it removes has shipped. Its compatibility
	// findings are warnings: the runtime check against that release is the
	// proof.
	Followup bool
	// Unjudged are operations of the migration phasegate cannot see into
	// (an ORM migration's Python code): unknown-effect reports them.
	Unjudged []Unjudged
	// Header is what is wrong with the header of a deferred migration, as
	// package deferred read it from the migration's file (its line and
	// column are the file's): invalid-directive reports it.
	Header *deferred.Error
	// Line, if set, maps a line of File (the SQL an ORM rendered for the
	// migration) to the line of the migration file that produced it, 0 when
	// none did: the lines a message or fix names are the file's. Nil means
	// File is the migration file.
	Line func(line int) int
	// Before, if set, is called before statement i of the file is judged,
	// with the catalog as the statements before it left it (split reads
	// the definitions it recreates there). It must not change the catalog.
	Before func(i int, cat *schema.Catalog)
}

// Unjudged is an operation of a migration whose effect phasegate cannot
// know, at Line of the migration's source (0 if unknown).
type Unjudged struct {
	Line int
	// What names the operation and why it cannot be judged.
	What string
}

// FileResult is the verdict on one file.
type FileResult struct {
	Migration  source.Migration
	Tx         source.TxMode
	Deferred   bool
	Statements []StatementResult
	// Findings not tied to a statement (directives that precede none...).
	Findings []Finding
}

// StatementResult is the verdict on one statement.
type StatementResult struct {
	Pos, EndPos sqltext.Position
	SQL         string
	Phase       Phase
	Findings    []Finding
	// Locks are the locks the statement is expected to take on relations
	// that existed before the change.
	Locks []Lock
	// PhaseDirective is the reason given by a phasegate:phase directive.
	PhaseDirective string
}

// Finding is one problem.
type Finding struct {
	Rule     *Rule
	Severity Severity
	Message  string
	Fix      string
	// Pos, if set, points somewhere other than the statement's start.
	Pos *sqltext.Position
	// Edit, if set, is the fix as a rewrite of the statement's lines
	// (edit.go).
	Edit *Edit
}

// Checker judges migration files against an evolving catalog.
type Checker struct {
	opts    Options
	catalog *schema.Catalog
	sev     []Severity // per rule (in Rules order), for the file being judged
}

// New returns a Checker that judges against cat, the schema as of the base
// revision; it updates cat as statements are judged.
func New(cat *schema.Catalog, opts Options) *Checker {
	if opts.Version == 0 {
		opts.Version = DefaultVersion
	}
	return &Checker{opts: opts, catalog: cat}
}

// Catalog is the catalog as the files judged so far left it.
func (c *Checker) Catalog() *schema.Catalog { return c.catalog }

// severity returns the effective severity of a rule in a file.
func (c *Checker) severity(r *Rule, file string) Severity { return c.opts.SeverityOf(r, file) }

// SeverityOf returns the effective severity of rule r in a file: Off when
// an ignore entry covers the file, else the configured or default one.
func (o Options) SeverityOf(r *Rule, file string) Severity {
	for _, ig := range o.Ignore {
		if matchPath(ig.Path, file) {
			for _, id := range ig.Rules {
				if id == "*" || id == r.ID {
					return Off
				}
			}
		}
	}
	if s, ok := o.Severity[r.ID]; ok {
		return s
	}
	return r.Severity
}

// matchPath matches a file path against a config pattern: a path.Match
// pattern, or a directory prefix ending in "/".
func matchPath(pattern, file string) bool {
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(file, pattern)
	}
	ok, _ := path.Match(pattern, file)
	return ok
}

// FileTransaction says whether a migration tool with transaction mode tx
// runs a file of these statements inside one transaction block, and, for
// Flyway, whether the file mixes statements Flyway runs without a
// transaction with others (which Flyway refuses).
func FileTransaction(tx source.TxMode, stmts []*sqltext.Statement) (inTx, mixed bool) {
	switch tx {
	case source.TxFile:
		return true, false
	case source.TxImplicit:
		return len(stmts) > 1, false
	case source.TxAuto:
		nonTx := 0
		for _, s := range stmts {
			if flywayNonTransactional(s.Node) {
				nonTx++
			}
		}
		return nonTx == 0, nonTx > 0 && nonTx < len(stmts)
	}
	return false, false
}

// NonTransactional names the statement when PostgreSQL refuses to run it
// inside a transaction block ("" otherwise).
func NonTransactional(n *pg.Node) string { return nonTransactional(n) }
