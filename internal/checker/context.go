package checker

import (
	"fmt"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Context is what a rule sees of one statement: the statement, the catalog
// as the statements before it left it, and the state of the session that
// runs the file.
type Context struct {
	Stmt    *sqltext.Statement
	Node    *pg.Node
	File    *sqltext.File
	Catalog *schema.Catalog
	Version int // target PostgreSQL major version
	Path    string
	// Format is the migration tool's format name (source.Format.Name).
	Format string
	sess   *session

	// Computed once per statement, on first use.
	locks      []Lock
	locksDone  bool
	columns    []columnType
	columnsSet bool
	alterCmds  []*pg.AlterTableCmd
	alterDone  bool
}

// InTransaction reports whether the statement runs inside a transaction
// block: the tool's, an implicit multi-statement one, or an explicit BEGIN.
func (c *Context) InTransaction() bool { return c.sess.inTx }

// ExplicitTransaction reports whether a BEGIN in the file opened the
// current transaction block.
func (c *Context) ExplicitTransaction() bool { return c.sess.explicitTx }

// LockTimeoutSet reports whether lock_timeout is set for the statement.
func (c *Context) LockTimeoutSet() bool { return c.sess.lockTimeout }

// AlteredInTransaction reports whether DDL earlier in the current
// transaction altered table q (and so still holds its lock).
func (c *Context) AlteredInTransaction(q schema.QName) bool { return c.sess.altered[q] }

// AddedInTransaction reports whether the current transaction added
// constraint name to table q.
func (c *Context) AddedInTransaction(q schema.QName, name string) bool {
	return c.sess.addedCons[q][name]
}

// Existing reports whether relation q existed before the change, that is,
// production has it with its rows. A relation the catalog does not know is
// assumed to exist: the conservative answer.
func (c *Context) Existing(q schema.QName) bool {
	if t := c.Catalog.Tables[q]; t != nil {
		return !t.Origin.New
	}
	if v := c.Catalog.Views[q]; v != nil {
		return !v.Origin.New
	}
	return true
}

// Table resolves a relation reference; t is nil when the catalog does not
// know the table.
func (c *Context) Table(rv *pg.RangeVar) (schema.QName, *schema.Table) {
	q := c.Catalog.Resolve(rv)
	return q, c.Catalog.Tables[q]
}

// ExistingColumn reports whether column col of table q existed before the
// change. A column the statement itself adds (ALTER TABLE t ADD COLUMN c
// ..., ADD CONSTRAINT ... (c)) is new; so is a column a fully known table
// does not have. Unknown tables, and unknown columns of tables the history
// only partly defines, count as existing.
func (c *Context) ExistingColumn(q schema.QName, col string) bool {
	t := c.Catalog.Tables[q]
	if t == nil {
		return !c.addsColumn(q, col)
	}
	if t.Origin.New {
		return false
	}
	if cc := t.Column(col); cc != nil {
		return !cc.Origin.New
	}
	if c.addsColumn(q, col) {
		return false
	}
	// With gaps in the replay, the column may exist all the same.
	return t.Incomplete || len(c.Catalog.Gaps) > 0
}

// addsColumn reports whether the statement is an ALTER TABLE of q that adds
// column col in one of its commands.
func (c *Context) addsColumn(q schema.QName, col string) bool {
	at, cmds := c.AlterTable()
	if at == nil || c.Catalog.Resolve(at.Relation) != q {
		return false
	}
	for _, cmd := range cmds {
		if cmd.Subtype == pg.AlterTableType_AT_AddColumn {
			if def := cmd.Def.GetColumnDef(); def != nil && def.Colname == col {
				return true
			}
		}
	}
	return false
}

// LaterInTransaction reports whether a statement after this one, in the
// same transaction block, satisfies match: together they are atomic, so
// the previous release never sees the state between them (a view dropped
// and created again).
func (c *Context) LaterInTransaction(match func(*pg.Node) bool) bool {
	if c.File == nil || !c.InTransaction() {
		return false
	}
	i := 0
	for i < len(c.File.Statements) && c.File.Statements[i] != c.Stmt {
		i++
	}
	for _, s := range c.File.Statements[min(i+1, len(c.File.Statements)):] {
		if t := s.Node.GetTransactionStmt(); t != nil {
			switch t.Kind {
			case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK,
				pg.TransactionStmtKind_TRANS_STMT_PREPARE, pg.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED:
				return false
			}
		}
		if match(s.Node) {
			return true
		}
	}
	return false
}

// Pos returns the position of a parse tree location (a byte offset), or
// nil when the node has none.
func (c *Context) Pos(location int32) *sqltext.Position {
	if location < 0 || c.File == nil {
		return nil
	}
	p := c.File.Pos(int(location))
	return &p
}

// Unknown explains that the catalog lacks a fact, and why, so a
// conservative verdict says what it is based on.
func (c *Context) Unknown(what string) string {
	if len(c.Catalog.Gaps) > 0 {
		g := c.Catalog.Gaps[0]
		return fmt.Sprintf("%s is unknown: the migration history could not be replayed exactly (%s: %s)", what, g.Where, g.Reason)
	}
	return fmt.Sprintf("%s is unknown: the migration history does not define it", what)
}

// AlterTable returns the statement's ALTER TABLE and its commands, or nil.
func (c *Context) AlterTable() (*pg.AlterTableStmt, []*pg.AlterTableCmd) {
	at := c.Node.GetAlterTableStmt()
	if at == nil {
		return nil, nil
	}
	if !c.alterDone {
		c.alterCmds = make([]*pg.AlterTableCmd, 0, len(at.Cmds))
		for _, n := range at.Cmds {
			if cmd := n.GetAlterTableCmd(); cmd != nil {
				c.alterCmds = append(c.alterCmds, cmd)
			}
		}
		c.alterDone = true
	}
	return at, c.alterCmds
}

// AlterExisting returns the ALTER TABLE of an existing table (and its
// commands and name), or nil for other statements and new tables.
func (c *Context) AlterExisting() (*pg.AlterTableStmt, []*pg.AlterTableCmd, schema.QName) {
	at, cmds := c.AlterTable()
	if at == nil || at.Objtype != pg.ObjectType_OBJECT_TABLE && at.Objtype != pg.ObjectType_OBJECT_MATVIEW && at.Objtype != pg.ObjectType_OBJECT_FOREIGN_TABLE {
		return nil, nil, schema.QName{}
	}
	q := c.Catalog.Resolve(at.Relation)
	if !c.Existing(q) {
		return nil, nil, q
	}
	return at, cmds, q
}

// finding is a finding with a message; Check functions return them.
func finding(format string, args ...any) Finding {
	return Finding{Message: fmt.Sprintf(format, args...)}
}

// fileStart is the position of a file's first line, where findings about
// the file as a whole point.
func fileStart() *sqltext.Position { return &sqltext.Position{Line: 1, Column: 1} }

// at returns f pointing at pos.
func (f Finding) at(pos *sqltext.Position) Finding {
	f.Pos = pos
	return f
}

// withFix returns f with a fix specific to the statement. Object names
// (schema.QName, ident) are written as SQL, quoted where needed, so the
// suggested statements run as they are.
func (f Finding) withFix(format string, args ...any) Finding {
	for i, a := range args {
		if q, ok := a.(schema.QName); ok {
			args[i] = q.SQL()
		}
	}
	f.Fix = fmt.Sprintf(format, args...)
	return f
}

// withSteps returns f with a fix of numbered steps, one per line; with no
// step (the SQL could not be built), f keeps the rule's fix.
func (f Finding) withSteps(lines ...string) Finding {
	for _, l := range lines {
		if l == "" {
			return f
		}
	}
	if len(lines) > 0 {
		f.Fix = steps(lines...)
	}
	return f
}

// withNote returns f with a closing remark after the steps of its fix;
// without steps (f keeps the rule's fix), f is unchanged.
func (f Finding) withNote(note string) Finding {
	if f.Fix != "" {
		f.Fix += "\n" + note
	}
	return f
}

// ident is an identifier for a fix text: formatted quoted where needed.
type ident string

func (n ident) String() string { return schema.QuoteIdent(string(n)) }

// identList writes column names as a SQL list.
func identList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = schema.QuoteIdent(n)
	}
	return strings.Join(quoted, ", ")
}

// identOr is name as an ident, or placeholder when the statement gives no
// name.
func identOr(name, placeholder string) any {
	if name == "" {
		return placeholder
	}
	return ident(name)
}
