package checker

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Phase says when a statement may run relative to the deploy of the code
// that needs it.
type Phase int

const (
	// Expand statements are safe while the previous release still serves
	// traffic: they run before the deploy.
	Expand Phase = iota
	// Unknown statements cannot be judged statically; they are treated like
	// Contract unless a directive says otherwise.
	Unknown
	// Contract statements break the previous release and must wait until no
	// instance of it runs.
	Contract
)

func (p Phase) String() string {
	switch p {
	case Expand:
		return "expand"
	case Unknown:
		return "unknown"
	case Contract:
		return "contract"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// Category groups rules by what they protect.
type Category int

const (
	// Compatibility findings say why a statement is contract or unknown.
	Compatibility Category = iota + 1
	// Locking findings are lock and table rewrite hazards.
	Locking
	// Other findings are correctness and hygiene problems.
	Other
)

func (c Category) String() string {
	switch c {
	case Compatibility:
		return "compatibility"
	case Locking:
		return "locking"
	case Other:
		return "other"
	}
	return "unknown"
}

// Severity decides the exit status: findings at Error fail the check.
type Severity int

const (
	Off Severity = iota
	Info
	Warning
	Error
)

func (s Severity) String() string {
	return [...]string{"off", "info", "warning", "error"}[s]
}

// ErrUnknownRule and ErrUnknownSeverity are a severity setting that names
// no rule, or no severity.
var (
	ErrUnknownRule     = errors.New("unknown rule")
	ErrUnknownSeverity = errors.New("unknown severity")
)

// RuleSeverity reads the severity s set for rule id.
func RuleSeverity(id, s string) (Severity, error) {
	if Lookup(id) == nil {
		return Off, fmt.Errorf("%w %q", ErrUnknownRule, id)
	}
	return ParseSeverity(s)
}

// ParseSeverity reads a severity from configuration.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "off":
		return Off, nil
	case "info":
		return Info, nil
	case "warning":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return Off, fmt.Errorf("%w %q (use error, warning, info or off)", ErrUnknownSeverity, s)
}

// Rule is one check: data that documents it plus a small function.
type Rule struct {
	ID       string
	Category Category
	Severity Severity // default
	// Phase is what a finding of a Compatibility rule makes its statement:
	// Contract or Unknown. Expand marks an advisory compatibility rule.
	Phase Phase
	// Summary says in a few words what the rule flags (the rule table).
	Summary string
	// Why says in one sentence what goes wrong.
	Why string
	// Fix is the safe alternative: the multi-step recipe.
	Fix string
	// Notes holds version dependence, and where squawk, strong_migrations
	// and GitLab disagree and which way phasegate went.
	Notes string
	// Examples are flagged ("bad") and clean ("good") SQL; tests run them.
	Examples []Example

	// A rule's hooks say what it looks at; the engine calls each one that
	// is set, unless the rule is off in the file.

	// Check returns the rule's findings for the statement in c.
	Check func(c *Context) []Finding
	// File returns the rule's findings for a whole file, once its
	// statements are judged: how it ends, its notes and directives.
	File func(f *FileContext) []Finding
	// History returns the rule's findings for what a change does to one
	// migration's place in the history (Checker.History).
	History func(h *History) []Finding
	// Runtime returns the rule's findings for the locks the runtime check
	// measured of one statement (Options.Runtime).
	Runtime func(m *Measurement) []Finding
}

// Example is SQL a rule flags or leaves alone. Base is history the
// example's migration runs on (the tables that exist in production).
type Example struct {
	Base    string
	SQL     string
	Flagged bool
	// Version is the PostgreSQL major version; 0 means the default.
	Version int

	// The example of a history rule is a change to the migration files of
	// a tool (Format, a source.Format name): the files on the base branch
	// (BaseFiles) and the files the change writes (Change: added, edited,
	// or with no SQL deleted). Tests run it through package change on a
	// real git repository.
	Format    string
	BaseFiles []MigrationFile
	Change    []MigrationFile

	// Measured, in a runtime rule's example, is what the runtime check
	// measures of the last statement of SQL on PostgreSQL (non-nil, empty
	// when it takes no lock); a test measures it again.
	Measured []MeasuredLock
}

// MigrationFile is one migration file of a history rule's example.
type MigrationFile struct {
	Name string // in the migrations directory
	SQL  string
}

// IsHistory reports whether the example is a change to migration files
// (a history rule's example) rather than SQL.
func (ex Example) IsHistory() bool { return ex.Format != "" }

// all is every rule, in no order: each rule file defines its rule as a
// package-level &Rule{...} the linker lays out as data, so no rule costs
// anything at start-up; TestEveryRuleListed fails if a rule file's rule is
// missing here.
var all = [...]*Rule{
	addCheckValidated,
	addColumnRewrite,
	addColumnVolatileDefault,
	addConstraint,
	addEnumValueInTransaction,
	addExclusionConstraint,
	addForeignKeyValidated,
	addRequiredColumn,
	addUniqueConstraint,
	alterColumnTypeRewrite,
	attachPartition,
	backfillWithDDL,
	changeColumnDefault,
	changeColumnType,
	cluster,
	concurrentlyInTransaction,
	createIndexNonConcurrently,
	detachPartitionNonConcurrently,
	domainConstraint,
	dropColumn,
	dropDatabase,
	dropDefault,
	dropIndexNonConcurrently,
	dropNotNull,
	dropObject,
	dropTable,
	dropUnique,
	editedMigration,
	emptyMigration,
	identifierTooLong,
	invalidDirective,
	lockDisagreement,
	lockMultipleTables,
	lockTable,
	missingLockTimeout,
	missingStatementTimeout,
	outOfOrderMigration,
	preferBigint,
	preferIdentity,
	preferJsonb,
	preferRobustStmts,
	preferText,
	preferTimestamptz,
	psqlMetaCommand,
	refreshMatviewNonConcurrently,
	reindexNonConcurrently,
	removedMigration,
	renameColumn,
	renameEnumValue,
	renameObject,
	renameTable,
	revokePrivilege,
	setNotNull,
	setNotNullScan,
	tableRewrite,
	transactionNesting,
	truncateCascade,
	truncateTable,
	unbatchedBackfill,
	uncommittedTransaction,
	unknownEffect,
	unusedDirective,
	vacuumFull,
	validateInSameTransaction,
}

// registry finds a rule by id. It is filled by init, not by a variable's
// initialiser: rules' functions call Lookup, which would make all's
// initialisation depend on itself.
var registry map[string]*Rule

func init() {
	registry = make(map[string]*Rule, len(all))
	for _, r := range all {
		if _, dup := registry[r.ID]; dup {
			panic("checker: duplicate rule " + r.ID)
		}
		registry[r.ID] = r
	}
}

// sorted is every rule, sorted by category and id once, when first asked
// for (not at start-up).
var sorted = sync.OnceValue(func() []*Rule {
	out := append([]*Rule(nil), all[:]...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return out[i].Category < out[j].Category
		}
		return out[i].ID < out[j].ID
	})
	return out
})

// Rules returns every rule, sorted by category and id. The slice is
// shared: do not modify it.
func Rules() []*Rule { return sorted() }

// Lookup returns the rule with the given id, or nil.
func Lookup(id string) *Rule { return registry[id] }
