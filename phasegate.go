// Package phasegate judges PostgreSQL migrations for teams that deploy
// without downtime: it gives every statement a phase (expand: safe while
// the previous release still serves traffic; contract: must wait for the
// next release; unknown) and reports lock and rewrite hazards with the
// safe recipe, as the phasegate command does with
// "phasegate classify".
//
// This package is the one a Go program may rely on; everything else in
// the module is internal and changes without notice. It covers the
// static check of migration files; the runtime proof on PostgreSQL, the
// pull request comment, split and the follow-up bot are the command's
// (https://github.com/phasegate/phasegate).
//
//	res, err := phasegate.Lint([]string{"db/migrations"}, phasegate.Options{})
//	if err != nil {
//		return err // the options or a path are wrong
//	}
//	for _, f := range res.Findings() {
//		fmt.Printf("%s:%d:%d: %s: %s\n", f.Path, f.Line, f.Column, f.Rule, f.Message)
//	}
//	if res.Failed(phasegate.SeverityError) { ... }
package phasegate

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/source"
)

// Options configure Lint. The zero value judges the files against an
// empty database on PostgreSQL 16, with every rule at its default
// severity, detecting each path's migration format.
type Options struct {
	// FS, if set, is where the paths (slash-separated, as fs.FS names
	// them) are read; nil reads the operating system's files.
	FS fs.FS
	// Format is the migration format of the paths, by the name the
	// command's migrations.format takes ("golang-migrate", "goose",
	// "flyway", ...); "" detects it per path. ORM formats (alembic,
	// django) need the project's checkout and are not supported here.
	Format string
	// Schema is production's schema as SQL: the files are judged against
	// the tables it creates (which hold rows and have readers).
	Schema []byte
	// PostgresVersion is the target major version; 0 means 16.
	PostgresVersion int
	// Severity overrides rules' severities by rule id; SeverityOff turns
	// a rule off.
	Severity map[string]Severity
	// LockTimeoutSet says the migration tool or its database role already
	// sets lock_timeout, so files need not (the missing-lock-timeout rule).
	LockTimeoutSet bool
	// OneChange judges the migrations of a directory as one change: what
	// an earlier one creates counts as new in the later ones (before a
	// first release). By default each migration of a directory is judged
	// against the ones before it, as the pull request that added it was.
	OneChange bool
}

// Severity is how much a finding matters. Findings at SeverityError fail
// the command's check.
type Severity string

// Severities, from none to most.
const (
	SeverityOff     Severity = "off"
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

// Phase says when a statement may run relative to the deploy of the code
// that needs it.
type Phase string

// Phases, from safest to least safe.
const (
	// PhaseExpand statements are safe while the previous release serves
	// traffic: they run before the deploy.
	PhaseExpand Phase = "expand"
	// PhaseUnknown statements cannot be judged statically; treat them as
	// contract unless you know better.
	PhaseUnknown Phase = "unknown"
	// PhaseContract statements break the previous release: they must wait
	// until no instance of it runs.
	PhaseContract Phase = "contract"
)

// Result is the verdict on the files, in the order they apply.
type Result struct {
	Files []File
	// Errors are files that could not be read or parsed; the other files
	// are judged all the same.
	Errors []*FileError
}

// File is the verdict on one migration file.
type File struct {
	Path   string
	Format string
	// Phase is the file's least safe statement's phase.
	Phase      Phase
	Statements []Statement
	// Findings about the file as a whole (how it ends, its directives).
	Findings []Finding
}

// Statement is the verdict on one statement of a file.
type Statement struct {
	Line, Column int
	SQL          string
	Phase        Phase
	Findings     []Finding
}

// Finding is one problem a rule found, at the place it is about.
type Finding struct {
	Rule     string
	Severity Severity
	Message  string
	// Fix is the safe alternative: what to do instead.
	Fix          string
	Path         string
	Line, Column int
}

// FileError is a file that could not be read or parsed, at the position
// of the fault when it is known (Line 0 otherwise).
type FileError struct {
	Path         string
	Line, Column int
	Message      string
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return e.Path + ": " + e.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Message)
}

// Errors Lint returns for options it cannot use; test with errors.Is.
var (
	// ErrUnknownRule: Options.Severity names a rule that does not exist.
	ErrUnknownRule = checker.ErrUnknownRule
	// ErrUnknownSeverity: Options.Severity holds a severity that does not
	// exist.
	ErrUnknownSeverity = checker.ErrUnknownSeverity
	// ErrUnknownFormat: Options.Format names no migration format.
	ErrUnknownFormat = errors.New("unknown migration format")
	// ErrUnsupportedVersion: Options.PostgresVersion is not a major
	// version phasegate knows.
	ErrUnsupportedVersion = checker.ErrUnsupportedVersion
)

// Lint judges migration files: each path is a file or a directory of
// migrations, judged in the order given. It returns an error only for
// options it cannot use (among them a Format that names none of a
// directory's files while another tool's name them) and paths it cannot
// find; files that do not parse are listed in Result.Errors with their
// position.
func Lint(paths []string, opts Options) (*Result, error) {
	if len(paths) == 0 {
		return nil, errors.New("phasegate: no path to lint")
	}
	ck, err := checkerOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("phasegate: %w", err)
	}
	if opts.Format != "" {
		if _, err := source.Lookup(opts.Format); err != nil {
			return nil, fmt.Errorf("phasegate: %w %q (the migrations.format names of https://github.com/phasegate/phasegate/blob/main/docs/formats.md)", ErrUnknownFormat, opts.Format)
		}
	}
	res, err := lint.Files(paths, lint.FilesOptions{FS: opts.FS, SchemaSQL: opts.Schema, Format: opts.Format, Checker: ck, OneChange: opts.OneChange})
	if err != nil {
		return nil, fmt.Errorf("phasegate: %w", err)
	}
	return convert(res), nil
}

func checkerOptions(opts Options) (checker.Options, error) {
	ck := checker.Options{Severity: map[string]checker.Severity{}, LockTimeout: opts.LockTimeoutSet}
	var err error
	if ck.Version, err = checker.TargetVersion(opts.PostgresVersion); err != nil {
		return ck, err
	}
	for id, s := range opts.Severity {
		sev, err := checker.RuleSeverity(id, string(s))
		switch {
		case errors.Is(err, checker.ErrUnknownRule):
			return ck, fmt.Errorf("%w (Rules lists them)", err)
		case err != nil:
			return ck, fmt.Errorf("%s: %w", id, err)
		}
		ck.Severity[id] = sev
	}
	return ck, nil
}

// convert copies lint's result into the package's own types, which do not
// change when the internal ones do.
func convert(in *lint.Result) *Result {
	out := &Result{}
	for _, e := range in.Errors {
		out.Errors = append(out.Errors, &FileError{Path: e.Path, Line: e.Pos.Line, Column: e.Pos.Column, Message: e.Msg})
	}
	for _, fr := range in.Files {
		path := fr.Migration.Path
		f := File{Path: path, Format: fr.Migration.Format, Phase: PhaseExpand}
		for _, fd := range fr.Findings {
			f.Findings = append(f.Findings, finding(path, 0, 0, fd))
		}
		for _, sr := range fr.Statements {
			st := Statement{Line: sr.Pos.Line, Column: sr.Pos.Column, SQL: sr.SQL, Phase: Phase(sr.Phase.String())}
			for _, fd := range sr.Findings {
				st.Findings = append(st.Findings, finding(path, sr.Pos.Line, sr.Pos.Column, fd))
			}
			if rank(st.Phase) > rank(f.Phase) {
				f.Phase = st.Phase
			}
			f.Statements = append(f.Statements, st)
		}
		out.Files = append(out.Files, f)
	}
	return out
}

func finding(path string, line, col int, fd checker.Finding) Finding {
	if fd.Pos != nil {
		line, col = fd.Pos.Line, fd.Pos.Column
	}
	return Finding{Rule: fd.Rule.ID, Severity: Severity(fd.Severity.String()), Message: fd.Message, Fix: fd.Fix, Path: path, Line: line, Column: col}
}

func rank(p Phase) int {
	switch p {
	case PhaseUnknown:
		return 1
	case PhaseContract:
		return 2
	}
	return 0
}

// Findings returns every finding of every file, in file order, the file's
// own findings before its statements'.
func (r *Result) Findings() []Finding {
	var all []Finding
	for _, f := range r.Files {
		all = append(all, f.Findings...)
		for _, s := range f.Statements {
			all = append(all, s.Findings...)
		}
	}
	return all
}

// Failed reports whether a finding is at least as severe as min, or a
// file could not be read: what makes the command's check fail at
// --fail-on min.
func (r *Result) Failed(min Severity) bool {
	if len(r.Errors) > 0 {
		return true
	}
	floor := severityRank(min)
	for _, f := range r.Findings() {
		if severityRank(f.Severity) >= floor && f.Severity != SeverityOff {
			return true
		}
	}
	return false
}

func severityRank(s Severity) int {
	switch s {
	case SeverityInfo:
		return 1
	case SeverityWarning:
		return 2
	case SeverityError:
		return 3
	}
	return 0
}

// Rule documents one check phasegate runs.
type Rule struct {
	ID string
	// Category is "compatibility" (why a statement is contract or
	// unknown), "locking" (lock and rewrite hazards) or "other".
	Category string
	// Severity is the rule's default.
	Severity Severity
	// Summary says in a few words what the rule flags; Why what goes
	// wrong; Fix the safe alternative.
	Summary, Why, Fix string
	// URL is the rule's page in the rules reference.
	URL string
}

// Rules lists every rule, by id.
func Rules() []Rule {
	var rules []Rule
	for _, r := range checker.Rules() {
		rules = append(rules, Rule{
			ID: r.ID, Category: r.Category.String(), Severity: Severity(r.Severity.String()),
			Summary: r.Summary, Why: r.Why, Fix: r.Fix,
			URL: "https://github.com/phasegate/phasegate/blob/main/docs/rules.md#" + r.ID,
		})
	}
	return rules
}
