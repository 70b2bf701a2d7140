package capture

import (
	"fmt"
	"strings"
	"sync"

	pg "github.com/phasegate/phasegate/internal/pgtree"
	"github.com/phasegate/phasegate/internal/source"
)

// VersionTable describes a migration tool's version table: the table in
// which it records each migration it applied (see source.VersionTable).
type VersionTable = source.VersionTable

// DefaultTables returns the version tables Attribute recognises unless
// told otherwise: those the formats declare (source.VersionTables), the
// Capture format's for the tools phasegate reads only through capture.
// They are gathered when first asked for, not at start-up. The slice is
// shared: do not modify it.
var DefaultTables = sync.OnceValue(source.VersionTables)

// DefaultToolTables are tables, other than version tables, that migration
// tools keep for themselves: lock tables and metadata the tool writes
// around migrations. Statements on them alone are bookkeeping.
var DefaultToolTables = []string{
	"knex_migrations_lock",       // Knex
	"ar_internal_metadata",       // Rails
	"typeorm_metadata",           // TypeORM
	"databasechangeloglock",      // Liquibase
	"flyway_schema_history_lock", // (some Flyway setups)
	"kysely_migration_lock",      // Kysely
	"_yoyo_log",                  // yoyo
	"_yoyo_version",              // yoyo
	"yoyo_lock",                  // yoyo
	"django_site",                // Django's post-migrate signal (django.contrib.sites)
	"django_content_type",        // Django's post-migrate signal
	"auth_permission",            // Django's post-migrate signal
}

// DefaultKeepSettings are the run-time parameters whose SET belongs to the
// migration (it changes how the migration locks or what its names
// resolve to) rather than to the tool's session setup.
var DefaultKeepSettings = []string{"lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout", "transaction_timeout", "search_path", "role", "session_authorization"}

// AttributeOptions configure Attribute.
type AttributeOptions struct {
	// Tables are version tables recognised besides DefaultTables (the
	// project's own name for its tool's table); one with the Name of a
	// default replaces it.
	Tables []VersionTable
	// Only makes Attribute recognise Tables alone, not DefaultTables (when
	// the tool is known, so that an application table named "migrations"
	// is not taken for TypeORM's).
	Only bool
	// ToolTables are more tables of the tool's own (see
	// DefaultToolTables).
	ToolTables []string
	// KeepSettings replaces DefaultKeepSettings when not nil.
	KeepSettings []string
	// IgnoreApplications lists application_names whose sessions are not
	// the migrate command's statements; nil means pg_dump and pg_dumpall
	// (Rails dumps structure.sql with pg_dump after migrating, and pg_dump
	// locks every table it reads).
	IgnoreApplications []string
}

// ParseVersionTable reads a project's own version table as a user names
// it (phasegate's migrations.version_table): "name" or "schema.name" (any
// schema matches: the schema is dropped), optionally followed by the
// version column(s) in parentheses, "app_versions(tag)" or
// "app_versions(app+name)" (see VersionTable.Columns); without them the
// columns are guessed. A "quoted" name is matched exactly; an unquoted one
// as written and, when it has capitals, also folded to lower case as
// PostgreSQL stores unquoted names (a user writing SequelizeMeta for a
// table created quoted, or MyVersions for one created unquoted): one or
// two tables.
func ParseVersionTable(spec string) ([]VersionTable, error) {
	s := strings.TrimSpace(spec)
	var cols []string
	if i := strings.IndexByte(s, '('); i >= 0 {
		if !strings.HasSuffix(s, ")") {
			return nil, fmt.Errorf("version table %q: its column list must end with )", spec)
		}
		for _, c := range strings.Split(s[i+1:len(s)-1], ",") {
			if c = strings.TrimSpace(c); c != "" {
				cols = append(cols, unquote(c))
			}
		}
		s = strings.TrimSpace(s[:i])
	}
	// The last dot outside quotes separates the schema.
	quoted := false
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '"' {
			quoted = !quoted
		} else if s[i] == '.' && !quoted {
			s = s[i+1:]
			break
		}
	}
	name := unquote(s)
	if name == "" || strings.ContainsAny(s, " \t\n;,()") && !strings.HasPrefix(s, `"`) {
		return nil, fmt.Errorf("version table %q: want a table name, optionally schema-qualified, optionally followed by its version column(s) in parentheses", spec)
	}
	out := []VersionTable{{Name: name, Columns: cols, Tool: "migrations.version_table"}}
	if !strings.HasPrefix(s, `"`) && strings.ToLower(name) != name {
		out = append(out, VersionTable{Name: strings.ToLower(name), Columns: cols, Tool: "migrations.version_table"})
	}
	return out, nil
}

// unquote removes an identifier's double quotes.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

// Migration is a run of captured statements that the tool recorded under
// one version.
type Migration struct {
	// Version is what the tool wrote to its version table for these
	// statements (see VersionTable.Columns). Versions lists every version
	// when the write recorded several at once (a multi-row INSERT, as a
	// schema load does); Version is then the last.
	Version  string
	Versions []string
	// Table is the version table written, Tool the tools that use it.
	Table string
	Tool  string
	// Down is set when the write deleted the version: a rollback.
	Down bool
	// Unrecorded is set for the statements after the last version write:
	// the migrate command stopped (a statement failed, it was killed)
	// before recording them. Version is then "" (unknown), unless the tool
	// writes its version before running a migration (golang-migrate's
	// dirty row, Prisma), in which case it is that version.
	Unrecorded bool
	// Statements are the migration's own statements, one SQL statement
	// each (see Split), in execution order.
	Statements []Statement
	// Bookkeeping are the tool's statements among them, left out of
	// Statements (the version write included).
	Bookkeeping []Bookkept
	// Failed is set when a statement of the run (its own or the tool's)
	// failed; Error is the first failure's message.
	Failed bool
	Error  string
	// RolledBack is set when all that succeeded of the migration (its own
	// statements, and the version write of a recorded one) was rolled back
	// (see Statement.RolledBack): it left nothing in the database, as when
	// a failure ends Alembic's one transaction for all revisions.
	RolledBack bool
}

// Bookkept is a statement of the tool's own, and why it counts as such.
type Bookkept struct {
	Statement
	// Why: "version table", "tool table", "transaction control", "session
	// setting", "advisory lock", "catalog query", "session" (DISCARD,
	// DEALLOCATE, LISTEN), "ignored application".
	Why string
}

// Attribute divides captured statements (Split first) into migrations by
// the tool's writes to its version table, in execution order: an INSERT
// into a version table, an UPDATE that sets its version column (Alembic),
// or a DELETE whose WHERE names a version (a rollback) closes a migration,
// which holds the statements since the previous such write, under the
// version the write carries in a string or numeric constant or a bound
// parameter. Tools write the version after the migration's statements, in
// the same transaction (Rails, Knex, TypeORM, Alembic, Django, Flyway,
// goose, dbmate, Ecto...); OpenColumn and OpensOnInsert describe the ones
// that write before. A version write that failed closes nothing.
//
// The tool's own statements are set aside as Bookkeeping: statements
// whose tables are all version or tool tables (its CREATE TABLE IF NOT
// EXISTS, SELECTs, LOCK TABLE, TRUNCATE...), transaction control (BEGIN,
// COMMIT, ROLLBACK, SAVEPOINT...), SET, RESET and SHOW except the settings
// of KeepSettings, set_config() calls, anything calling an advisory-lock
// function, SELECTs (without INTO or a data-modifying WITH) reading only
// catalogs (pg_catalog, information_schema, pg_*), version and tool tables
// or no table, calling only built-in functions that change nothing,
// DISCARD, DEALLOCATE, LISTEN and UNLISTEN, and the statements of
// sessions of IgnoreApplications. Everything else, statements the parser
// rejects included, belongs to the migration.
//
// A COMMIT that follows a version write on the same session is filed
// with the migration it commits. A run of statements with no statement of
// its own (or only SETs of KeepSettings, which then count as the tool's)
// is dropped, unless one of its statements failed (a tool failing in its
// bookkeeping). Attribute splits the statements itself (see Split).
func Attribute(stmts []Statement, opts AttributeOptions) []Migration {
	a := newAttributor(opts)
	var out []Migration
	cur := Migration{}
	var open *VersionTable
	openVersion := ""
	settings := 0 // kept settings among cur.Statements
	emit := func() bool {
		if settings == len(cur.Statements) && len(cur.Statements) > 0 {
			// Only SETs the tool may have sent itself (Flyway restoring
			// search_path): not a migration of their own.
			for _, st := range cur.Statements {
				cur.Bookkeeping = append(cur.Bookkeeping, Bookkept{Statement: st, Why: "session setting"})
			}
			cur.Statements = nil
		}
		succeeded, undone := 0, 0
		for _, st := range cur.Statements {
			if !st.Failed {
				succeeded++
				if st.RolledBack {
					undone++
				}
			}
		}
		if !cur.Unrecorded && len(cur.Bookkeeping) > 0 { // the version write
			succeeded++
			if cur.Bookkeeping[len(cur.Bookkeeping)-1].RolledBack {
				undone++
			}
		}
		cur.RolledBack = succeeded > 0 && undone == succeeded
		kept := len(cur.Statements) > 0 || cur.Failed
		if kept {
			out = append(out, cur)
		}
		cur, settings = Migration{}, 0
		return kept
	}
	closed := -1 // the migration a version write just closed, in out
	for _, s := range Split(stmts) {
		v := a.judge(s)
		if closed >= 0 && v.commit && s.Conn == out[closed].Bookkeeping[len(out[closed].Bookkeeping)-1].Conn {
			// The COMMIT of the migration's transaction.
			m := &out[closed]
			m.Bookkeeping = append(m.Bookkeeping, Bookkept{Statement: s, Why: v.why})
			if s.Failed && !m.Failed {
				m.Failed, m.Error = true, s.Error
			}
			closed = -1
			continue
		}
		closed = -1
		if s.Failed && !cur.Failed {
			cur.Failed, cur.Error = true, s.Error
		}
		w := v.write
		if w != nil && (s.Failed || s.Pending) {
			w = nil // the version was not recorded
		}
		if v.why != "" || w != nil {
			why := v.why
			if w != nil {
				why = "version table"
			}
			cur.Bookkeeping = append(cur.Bookkeeping, Bookkept{Statement: s, Why: why})
		} else {
			cur.Statements = append(cur.Statements, s)
			if v.setting {
				settings++
			}
		}
		if w == nil {
			continue
		}
		switch {
		case w.opens:
			// What came before the opening write was not recorded.
			last := cur.Bookkeeping[len(cur.Bookkeeping)-1]
			cur.Bookkeeping = cur.Bookkeeping[:len(cur.Bookkeeping)-1]
			cur.Unrecorded = true
			if open != nil {
				cur.Version, cur.Table, cur.Tool = openVersion, open.Name, open.Tool
			}
			emit()
			cur.Bookkeeping = append(cur.Bookkeeping, last)
			open, openVersion = w.table, w.versions[len(w.versions)-1]
		case len(w.versions) > 0:
			cur.Version, cur.Table, cur.Tool, cur.Down = w.versions[len(w.versions)-1], w.table.Name, w.table.Tool, w.down
			if len(w.versions) > 1 {
				cur.Versions = w.versions
			}
			if emit() {
				closed = len(out) - 1
			}
			open, openVersion = nil, ""
		case w.table.OpensOnInsert && open == w.table:
			cur.Version, cur.Table, cur.Tool = openVersion, open.Name, open.Tool
			if emit() {
				closed = len(out) - 1
			}
			open, openVersion = nil, ""
		}
	}
	cur.Unrecorded = true
	if open != nil {
		cur.Version, cur.Table, cur.Tool = openVersion, open.Name, open.Tool
	}
	emit()
	return out
}

type attributor struct {
	tables map[string]*VersionTable
	tool   map[string]bool
	keep   map[string]bool
	ignore map[string]bool
}

func newAttributor(opts AttributeOptions) *attributor {
	a := &attributor{tables: map[string]*VersionTable{}, tool: map[string]bool{}, keep: map[string]bool{}, ignore: map[string]bool{}}
	if !opts.Only {
		for _, t := range DefaultTables() {
			a.tables[t.Name] = &t
		}
	}
	for i := range opts.Tables {
		t := opts.Tables[i]
		a.tables[t.Name] = &t
	}
	for _, t := range DefaultToolTables {
		a.tool[t] = true
	}
	for _, t := range opts.ToolTables {
		a.tool[t] = true
	}
	keep := opts.KeepSettings
	if keep == nil {
		keep = DefaultKeepSettings
	}
	for _, k := range keep {
		a.keep[strings.ToLower(k)] = true
	}
	ignore := opts.IgnoreApplications
	if ignore == nil {
		ignore = []string{"pg_dump", "pg_dumpall"}
	}
	for _, app := range ignore {
		a.ignore[app] = true
	}
	return a
}

// verdict says whose a statement is: the tool's (why is set) or the
// migration's; write is set for a version-table write.
type verdict struct {
	why     string
	write   *write
	setting bool // a SET of KeepSettings: the migration's, unless alone
	commit  bool // COMMIT (or END)
}

type write struct {
	table    *VersionTable
	versions []string // in the order of the rows written
	opens    bool
	down     bool
}

func (a *attributor) judge(s Statement) verdict {
	if a.ignore[s.Application] && s.Application != "" {
		return verdict{why: "ignored application"}
	}
	res, err := pg.Parse(s.SQL)
	if err != nil || len(res.Stmts) != 1 {
		return verdict{}
	}
	node := res.Stmts[0].Stmt
	switch n := node.Node.(type) {
	case *pg.Node_TransactionStmt:
		return verdict{why: "transaction control", commit: n.TransactionStmt.Kind == pg.TransactionStmtKind_TRANS_STMT_COMMIT}
	case *pg.Node_VariableSetStmt:
		if n.VariableSetStmt.Name != "" && a.keep[strings.ToLower(n.VariableSetStmt.Name)] {
			return verdict{setting: true}
		}
		return verdict{why: "session setting"}
	case *pg.Node_VariableShowStmt:
		return verdict{why: "session setting"}
	case *pg.Node_DiscardStmt, *pg.Node_DeallocateStmt, *pg.Node_ListenStmt, *pg.Node_UnlistenStmt:
		return verdict{why: "session"}
	case *pg.Node_InsertStmt:
		if t := a.table(n.InsertStmt.Relation); t != nil {
			return verdict{why: "version table", write: insertWrite(t, n.InsertStmt, s.Params)}
		}
	case *pg.Node_UpdateStmt:
		if t := a.table(n.UpdateStmt.Relation); t != nil {
			return verdict{why: "version table", write: updateWrite(t, n.UpdateStmt, s.Params)}
		}
	case *pg.Node_DeleteStmt:
		if t := a.table(n.DeleteStmt.Relation); t != nil {
			return verdict{why: "version table", write: deleteWrite(t, n.DeleteStmt, s.Params)}
		}
	}

	f := collect(node)
	for _, fn := range f.funcs {
		if strings.Contains(fn, "advisory_") && (strings.HasPrefix(fn, "pg_advisory") || strings.HasPrefix(fn, "pg_try_advisory")) {
			return verdict{why: "advisory lock"}
		}
	}
	ours, catalog, versionTable := 0, 0, false
	for _, rv := range f.rels {
		switch {
		case a.table(rv) != nil:
			ours++
			versionTable = true
		case a.tool[rv.Relname]:
			ours++
		case isCatalog(rv):
			catalog++
		}
	}
	if len(f.rels) > 0 && ours == len(f.rels) && !f.callsUser {
		if versionTable {
			return verdict{why: "version table"}
		}
		return verdict{why: "tool table"}
	}
	if sel, ok := node.Node.(*pg.Node_SelectStmt); ok && !f.modifies && sel.SelectStmt.IntoClause == nil && ours+catalog == len(f.rels) {
		if f.setsConfig != nil {
			if name, ok := f.setsConfig[0]; ok && a.keep[strings.ToLower(name)] {
				return verdict{setting: true}
			}
			return verdict{why: "session setting"}
		}
		if !f.callsUser {
			if versionTable {
				return verdict{why: "version table"}
			}
			return verdict{why: "catalog query"}
		}
	}
	return verdict{}
}

func (a *attributor) table(rv *pg.RangeVar) *VersionTable {
	if rv == nil {
		return nil
	}
	return a.tables[rv.Relname]
}

func isCatalog(rv *pg.RangeVar) bool {
	switch rv.Schemaname {
	case "pg_catalog", "information_schema":
		return true
	case "":
		return strings.HasPrefix(rv.Relname, "pg_")
	}
	return false
}
