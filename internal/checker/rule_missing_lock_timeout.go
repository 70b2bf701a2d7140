package checker

import (
	"fmt"

	"github.com/phasegate/phasegate/internal/source"
)

var missingLockTimeout = &Rule{
	ID:       "missing-lock-timeout",
	Category: Locking, Severity: Warning,
	Summary: "a statement that needs a lock blocking reads or writes on an existing table, with no lock_timeout set before it",
	Why:     "while the statement waits for its lock behind a long query, every other query on the table queues behind it: a short ALTER becomes an outage",
	Fix: `1. set a lock_timeout before the statement, in the session that runs it: SET lock_timeout = '5s'; on a line right before it, in the part of the file the tool runs (after goose's -- +goose Up, dbmate's -- migrate:up), or SET LOCAL lock_timeout = '5s'; right after the BEGIN of a transaction block the file opens; in an ORM's migration, an operation right before the statement's: op.execute("SET lock_timeout = '5s'") in Alembic's upgrade(), migrations.RunSQL("SET LOCAL lock_timeout = '5s'", reverse_sql=migrations.RunSQL.noop) in a Django migration's operations (SET without LOCAL if atomic = False);
2. if the migration fails with "canceling statement due to lock timeout", run it again (at a quieter time if it keeps failing).
If your migration tool or database role sets lock_timeout already, say so in the config: postgres.lock_timeout_set: true.`,
	Notes: `squawk flags this by default (require-lock-timeout, and require-statement-timeout); strong_migrations
sets lock_timeout itself; GitLab retries with lock timeouts (with_lock_retries). phasegate counts
SET lock_timeout and set_config('lock_timeout', ...) earlier in the same file (in a DO block, earlier in the block too).
SET LOCAL (set_config(..., true)) counts only inside a transaction block (the tool's, a BEGIN, or the DO block's own),
and only until that transaction ends; 0 disables the timeout, and RESET or SET ... TO DEFAULT go back to what the tool
or role sets. Locks on tables created in the change and locks that block neither reads nor writes (SHARE UPDATE EXCLUSIVE) do not count.
One finding per transaction: the first statement that lacks a lock_timeout carries it and names the others of its
transaction (of the file, for statements outside transaction blocks), since one SET fixes them all.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;"},
		{SQL: "SELECT set_config('lock_timeout', '5s', false);\nALTER TABLE users ADD COLUMN nick text;"},
		{SQL: "BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;\nCOMMIT;"},
		{SQL: "SET LOCAL lock_timeout = '5s'; -- outside a transaction block: no effect\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "SET lock_timeout = 0; -- disables it\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN nick text;"},
		{SQL: "CREATE TABLE memberships (user_id bigint REFERENCES users (id));", Flagged: true},
	},
	File: func(f *FileContext) []Finding {
		// One finding per transaction: it names the other statements of
		// its group.
		f.sess.lockGroups.describe(f.rule, f.Result)
		return nil
	},
	Check: func(c *Context) []Finding {
		if c.LockTimeoutSet() {
			return nil
		}
		for _, l := range c.Locks() {
			if l.Mode == RowExclusive || !l.Mode.BlocksWrites() {
				continue
			}
			blocks := "writes"
			if l.Mode.BlocksReads() {
				blocks = "reads and writes"
			}
			why := ""
			if u := c.sess.lockT.unset; u != "" {
				why = " (" + u + ")"
			}
			if !c.ignores("missing-lock-timeout") && !c.sess.lockGroups.add(c.sess.inTransaction(), c.sess.fileLine(c.Stmt.Pos.Line)) {
				return nil // the finding on the first statement of its transaction stands for it
			}
			return []Finding{finding("takes %s on %s (blocks %s) without a lock_timeout%s", l.Mode, l.Relation, blocks, why).
				withFix("%s", timeoutFix(c, "lock_timeout", "'5s'")).withEdit(c.timeoutEdit("lock_timeout", "'5s'"))}
		}
		return nil
	},
}

// timeoutFix is the fix of a missing timeout (setting, with value) for the
// statement of c, in numbered steps: where the SET goes so that it runs
// in the session that runs the statement, before it. In a SQL file, that
// is on a line right before the statement (in the part of the file the
// tool runs: never above goose's -- +goose Up), or right after the BEGIN
// of its transaction block; in a migration written in an ORM, an
// operation of the migration (source.SetAdvisor). Every line it names is
// a line of the migration file.
func timeoutFix(c *Context, setting, value string) string {
	f, _ := source.Lookup(c.Format)
	var first string
	switch code := source.SetFix(f, setting, value, c.sess.fileLine(c.Stmt.Pos.Line), c.sess.tx); {
	case code != "":
		first = "1. " + code + ";"
	case c.ExplicitTransaction():
		first = fmt.Sprintf("1. put SET LOCAL %s = %s; right after the BEGIN at line %d (it lasts until that transaction ends);", setting, value, c.sess.beginPos.Line)
	case !c.setFits(fmt.Sprintf("SET %s = %s;", setting, value)):
		// A SET beside the statement would put it in a transaction block
		// (the tool's implicit one, or Flyway's refusal of a mix).
		first = fmt.Sprintf("1. the statement must stay alone in its file, where a SET would put it in a transaction block: set %s for the connection instead, as the default of the role the migrations run as (ALTER ROLE <role> SET %s = %s; it holds for new sessions);", setting, setting, value)
	default:
		line, directive := c.setLine()
		where := "where the statement starts"
		if directive {
			where = "the statement's phasegate directive, which must stay right above it"
		}
		first = fmt.Sprintf("1. put SET %s = %s; on a line of its own right before line %d, %s;", setting, value, line, where)
	}
	if setting == "statement_timeout" {
		return first + "\n2. if the migration fails with \"canceling statement due to statement timeout\", find the statement that ran long before running it again."
	}
	return first + "\n2. if the migration fails with \"canceling statement due to lock timeout\", run it again (at a quieter time if it keeps failing)." +
		"\nIf your migration tool or database role sets lock_timeout already, say so in the config: postgres.lock_timeout_set: true."
}

// setLine is the line of the file a SET for the statement of c goes
// before: the statement's first, or that of the first phasegate directive
// written above it (directive), which a SET between them would take.
func (c *Context) setLine() (line int, directive bool) {
	line = c.Stmt.Pos.Line
	for _, d := range c.Stmt.Directives {
		if d.Pos.Line < line {
			line, directive = d.Pos.Line, true
		}
	}
	return line, directive
}

// setFits reports whether set, one statement, can run right before the
// statement of c without changing how the tool runs the file for a
// statement that cares: a single statement the tool then runs in a
// transaction block, a Flyway file of non-transactional statements that
// it would then refuse as a mix.
func (c *Context) setFits(set string) bool {
	if c.File == nil || c.Node != c.Stmt.Node {
		return true // a statement of a DO block: the SET goes before the block
	}
	n := parseOne(set)
	return n != nil && c.keepsTransaction(n, c.Stmt.Node)
}

// timeoutEdit puts the SET of the timeout's fix on a line of its own
// before the statement (SET LOCAL in a transaction the file opens with
// BEGIN), and before the directives written above it, unless the extra
// statement changes how the tool runs the file for a statement that cares
// (a single-statement file the tool then runs in a transaction block).
func (c *Context) timeoutEdit(setting, value string) *Edit {
	set := fmt.Sprintf("SET %s = %s;", setting, value)
	if c.ExplicitTransaction() {
		set = fmt.Sprintf("SET LOCAL %s = %s;", setting, value)
	}
	if !c.editable() || !c.setFits(set) {
		return nil
	}
	line, _ := c.setLine()
	return c.insertEdit(set, line)
}
