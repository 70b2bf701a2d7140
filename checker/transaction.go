package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/schema"
	"github.com/phasegate/phasegate/sqltext"
)

// The previous release sees a transaction whole: what it removes and puts
// back before it commits never goes missing. Rules that judge a drop, a
// rename or a new constraint compare the catalog as the transaction found
// it with the catalog as it leaves it (BeforeTransaction,
// AfterTransaction), so a type dropped and created again, or a unique key
// replaced by a primary key, is judged by what differs.

// txCatalogs keeps the catalog as the current transaction found it, and
// caches the catalog as it leaves it.
type txCatalogs struct {
	// start is the catalog just before the transaction's first statement
	// that changes or removes an object (statements before it can only
	// create objects, which are new): nil until then.
	start *schema.Catalog
	// end is AfterTransaction of statement endOf (node endNode).
	end     *schema.Catalog
	endOf   *sqltext.Statement
	endNode *pg.Node
}

// note is called before statement n is replayed into cat: the first
// statement of a transaction that changes what exists takes the snapshot.
func (t *txCatalogs) note(st *session, n *pg.Node, cat *schema.Catalog) {
	if t.start == nil && st.inTransaction() && changesExisting(n) {
		t.start = cat.Clone()
	}
}

// changesExisting reports whether a statement may change or remove an
// object that exists (as opposed to only creating new ones).
func changesExisting(n *pg.Node) bool {
	switch n.GetNode().(type) {
	case *pg.Node_DropStmt, *pg.Node_RenameStmt, *pg.Node_AlterObjectSchemaStmt, *pg.Node_AlterTableStmt,
		*pg.Node_AlterEnumStmt, *pg.Node_AlterDomainStmt, *pg.Node_AlterSeqStmt, *pg.Node_DoStmt,
		*pg.Node_ViewStmt, *pg.Node_CreateFunctionStmt, *pg.Node_CreateTrigStmt:
		return true
	}
	return false
}

// BeforeTransaction is the catalog as the statement's transaction found
// it: the schema the previous release sees until the transaction commits.
// Outside a transaction block it is the catalog before the statement.
func (c *Context) BeforeTransaction() *schema.Catalog {
	if c.sess != nil && c.sess.inTransaction() && c.sess.txc.start != nil {
		return c.sess.txc.start
	}
	return c.Catalog
}

// AfterTransaction is the catalog as the statement's transaction leaves
// it: a copy of the catalog with the statement and the later statements of
// its transaction replayed (outside a transaction block, the statement
// alone). The rules must not change it.
func (c *Context) AfterTransaction() *schema.Catalog {
	if c.sess != nil && c.sess.txc.end != nil && c.sess.txc.endOf == c.Stmt && c.sess.txc.endNode == c.Node {
		return c.sess.txc.end
	}
	cat := c.Catalog.Clone()
	origin := func(s *sqltext.Statement) schema.Origin {
		return schema.Origin{New: true, Path: c.Path, Line: s.Pos.Line}
	}
	cat.Apply(c.Node, origin(c.Stmt))
	if c.File != nil && c.sess != nil && c.InTransaction() {
		for _, s := range c.laterStatements() {
			if t := s.Node.GetTransactionStmt(); t != nil && endsTransaction(t.Kind) {
				break
			}
			cat.Apply(s.Node, origin(s))
		}
	}
	if c.sess != nil {
		c.sess.txc.end, c.sess.txc.endOf, c.sess.txc.endNode = cat, c.Stmt, c.Node
	}
	return cat
}

// laterStatements are the statements of the file after this one.
func (c *Context) laterStatements() []*sqltext.Statement {
	for i, s := range c.File.Statements {
		if s == c.Stmt {
			return c.File.Statements[i+1:]
		}
	}
	return nil
}

func endsTransaction(k pg.TransactionStmtKind) bool {
	switch k {
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK,
		pg.TransactionStmtKind_TRANS_STMT_PREPARE, pg.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED:
		return true
	}
	return false
}
