package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// The previous release sees a transaction whole: what it removes and puts
// back before it commits never goes missing. Rules that judge a drop, a
// rename or a new constraint compare what the transaction found
// (BeforeTransaction) with the catalog as it leaves it (AfterTransaction),
// so a type dropped and created again, or a unique key replaced by a
// primary key, is judged by what differs.
//
// Copying the whole catalog for every transaction would make the check
// quadratic in the history's size, so the transaction keeps a copy of each
// object only as a statement is about to change it. A statement whose
// reach is wider than the objects it names (CASCADE, a type's rename) has
// what it reaches named by schema.Reach where the catalog can tell; for
// the few it cannot (a schema, a sequence or an index with CASCADE, ALTER
// TABLE ... CASCADE, a DO block replayed whole) the catalog is copied
// whole.

// txCatalogs is what the current transaction changed, as it found it, and
// the catalog as it leaves it.
type txCatalogs struct {
	saved txSaved
	// whole is a copy of the catalog as the transaction found it, taken
	// instead of saved objects when a statement's reach is wide.
	whole *schema.Catalog
	// end is AfterTransaction, valid for the rest of the transaction;
	// endOne is AfterTransaction of statement endOf alone (no transaction
	// block, or a statement of a DO block).
	end     *schema.Catalog
	endOne  *schema.Catalog
	endOf   *sqltext.Statement
	endNode *pg.Node
}

// txSaved holds objects as the transaction found them, before its first
// statement that changed them; a nil entry is an object that did not
// exist.
type txSaved struct {
	tables    map[schema.QName]*schema.Table
	views     map[schema.QName]*schema.View
	indexes   map[schema.QName]*schema.Index
	types     map[schema.QName]*schema.Type
	sequences map[schema.QName]*schema.Object
	functions map[schema.QName]*schema.Object
}

// note is called before statement n is replayed into cat: it keeps what
// the statement is about to change, as the transaction found it.
func (t *txCatalogs) note(st *session, n *pg.Node, cat *schema.Catalog) {
	if !st.inTransaction() || t.whole != nil {
		return
	}
	// What most statements of wide reach change, the catalog can name
	// (schema.Reach): the views a DROP ... CASCADE takes with it, the
	// tables whose columns follow a renamed type. Those are kept one by
	// one below; the whole catalog is copied only for the others.
	var extra []schema.QName
	if wideReach(n) {
		var named bool
		if extra, named = cat.Reach(n); !named {
			t.copyWhole(cat)
			return
		}
	}
	names, renamedTo := touched(n, cat)
	for _, q := range append(names, extra...) {
		t.saved.keep(cat, q, false)
	}
	if renamedTo != (schema.QName{}) {
		t.saved.keep(cat, renamedTo, true) // a name the transaction gives: absent before
	}
}

// copyWhole keeps the whole catalog as the transaction found it: cat, with
// what the transaction changed before put back.
func (t *txCatalogs) copyWhole(cat *schema.Catalog) {
	w := cat.Clone()
	restore(w.Tables, t.saved.tables)
	restore(w.Views, t.saved.views)
	restore(w.Indexes, t.saved.indexes)
	restore(w.Types, t.saved.types)
	restore(w.Sequences, t.saved.sequences)
	restore(w.Functions, t.saved.functions)
	t.whole = w
}

// restore puts the saved objects back into m; a nil one did not exist.
func restore[T any](m, saved map[schema.QName]*T) {
	for q, v := range saved {
		if v == nil {
			delete(m, q)
		} else {
			m[q] = v
		}
	}
}

// keep saves every object named q (and the indexes of a table q), as the
// transaction found it, unless it saved it already; absent objects are
// saved (as nil) only with absent set.
func (s *txSaved) keep(cat *schema.Catalog, q schema.QName, absent bool) {
	if t := cat.Tables[q]; t != nil || absent {
		if save(&s.tables, q, t.Clone) && t != nil {
			for _, ix := range cat.IndexesOn(q) {
				save(&s.indexes, ix.Name, ix.Clone)
			}
		}
	}
	if v := cat.Views[q]; v != nil || absent {
		save(&s.views, q, v.Clone)
	}
	if ix := cat.Indexes[q]; ix != nil || absent {
		save(&s.indexes, q, ix.Clone)
	}
	if t := cat.Types[q]; t != nil || absent {
		save(&s.types, q, t.Clone)
	}
	if o := cat.Sequences[q]; o != nil || absent {
		save(&s.sequences, q, o.Clone)
	}
	if o := cat.Functions[q]; o != nil || absent {
		save(&s.functions, q, o.Clone)
	}
}

// save puts a copy of an object in m unless m has it already; it reports
// whether it did.
func save[T any](m *map[schema.QName]*T, q schema.QName, clone func() *T) bool {
	if _, ok := (*m)[q]; ok {
		return false
	}
	if *m == nil {
		*m = map[schema.QName]*T{}
	}
	(*m)[q] = clone()
	return true
}

// wideReach reports a statement that may change objects it does not
// name: CASCADE, a type renamed (its columns follow), schemas, a DO block
// replayed whole. schema.Reach names what most of them change.
func wideReach(n *pg.Node) bool {
	switch s := n.GetNode().(type) {
	case *pg.Node_DropStmt:
		return s.DropStmt.Behavior == pg.DropBehavior_DROP_CASCADE || s.DropStmt.RemoveType == pg.ObjectType_OBJECT_SCHEMA
	case *pg.Node_RenameStmt:
		switch s.RenameStmt.RenameType {
		case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN, pg.ObjectType_OBJECT_SCHEMA:
			return true
		}
	case *pg.Node_AlterObjectSchemaStmt:
		return true
	case *pg.Node_DoStmt:
		// A DO block reached as a statement (one inside another's body,
		// or one whose body phasegate cannot read) is replayed whole by
		// the catalog: note never sees its statements.
		return true
	case *pg.Node_AlterTableStmt:
		for _, c := range s.AlterTableStmt.Cmds {
			if c.GetAlterTableCmd().GetBehavior() == pg.DropBehavior_DROP_CASCADE {
				return true
			}
		}
	}
	return false
}

// touched names the existing objects statement n may change (none when
// it only creates or adds), and the name a rename gives.
func touched(n *pg.Node, cat *schema.Catalog) (out []schema.QName, renamedTo schema.QName) {
	rel := func(rv *pg.RangeVar) {
		if rv != nil {
			out = append(out, cat.Resolve(rv))
		}
	}
	switch s := n.GetNode().(type) {
	case *pg.Node_AlterTableStmt:
		if a := s.AlterTableStmt; a.Objtype == pg.ObjectType_OBJECT_TYPE { // ALTER TYPE ... ATTRIBUTE
			if a.Relation != nil {
				out = append(out, cat.ResolveTypeOf(a.Relation))
			}
			break
		}
		for _, cn := range s.AlterTableStmt.Cmds {
			if cmd := cn.GetAlterTableCmd(); cmd != nil && changesTable(cmd) {
				rel(s.AlterTableStmt.Relation)
				break
			}
		}
	case *pg.Node_DropStmt:
		for _, o := range s.DropStmt.Objects {
			names := schema.ObjectNames(o)
			if s.DropStmt.RemoveType == pg.ObjectType_OBJECT_TRIGGER && len(names) > 1 {
				names = names[:len(names)-1]
			}
			out = append(out, cat.ResolveNames(names))
		}
	case *pg.Node_RenameStmt:
		r := s.RenameStmt
		var old schema.QName
		switch {
		case r.Relation != nil:
			old = cat.Resolve(r.Relation)
		case r.RenameType == pg.ObjectType_OBJECT_TYPE || r.RenameType == pg.ObjectType_OBJECT_DOMAIN:
			old = cat.ResolveType(schema.ObjectNames(r.Object)) // as the rename finds it
		default:
			old = cat.ResolveNames(schema.ObjectNames(r.Object))
		}
		out = append(out, old)
		switch r.RenameType {
		case pg.ObjectType_OBJECT_COLUMN, pg.ObjectType_OBJECT_TABCONSTRAINT, pg.ObjectType_OBJECT_ATTRIBUTE, pg.ObjectType_OBJECT_TRIGGER:
		default:
			renamedTo = schema.QName{Schema: old.Schema, Name: r.Newname}
		}
	case *pg.Node_AlterEnumStmt:
		out = append(out, cat.ResolveNames(schema.Names(s.AlterEnumStmt.TypeName)))
	case *pg.Node_AlterDomainStmt:
		out = append(out, cat.ResolveNames(schema.Names(s.AlterDomainStmt.TypeName)))
	case *pg.Node_AlterSeqStmt:
		rel(s.AlterSeqStmt.Sequence)
	case *pg.Node_ViewStmt:
		if s.ViewStmt.Replace {
			rel(s.ViewStmt.View)
		}
	case *pg.Node_CreateFunctionStmt:
		if s.CreateFunctionStmt.Replace {
			out = append(out, cat.ResolveNames(schema.Names(s.CreateFunctionStmt.Funcname)))
		}
	}
	return out, renamedTo
}

// changesTable reports whether an ALTER TABLE command changes or removes
// what the table had (rather than adding to it), as far as the rules that
// compare before and after read it: keys, column types and defaults.
func changesTable(cmd *pg.AlterTableCmd) bool {
	switch cmd.Subtype {
	case pg.AlterTableType_AT_AddColumn, pg.AlterTableType_AT_ValidateConstraint, pg.AlterTableType_AT_SetStatistics,
		pg.AlterTableType_AT_SetStorage, pg.AlterTableType_AT_SetRelOptions, pg.AlterTableType_AT_ResetRelOptions,
		pg.AlterTableType_AT_EnableTrig, pg.AlterTableType_AT_DisableTrig, pg.AlterTableType_AT_EnableTrigAll,
		pg.AlterTableType_AT_DisableTrigAll, pg.AlterTableType_AT_EnableTrigUser, pg.AlterTableType_AT_DisableTrigUser,
		pg.AlterTableType_AT_ChangeOwner, pg.AlterTableType_AT_ClusterOn, pg.AlterTableType_AT_EnableRowSecurity,
		pg.AlterTableType_AT_ForceRowSecurity:
		return false
	case pg.AlterTableType_AT_AddConstraint:
		return cmd.Def.GetConstraint().GetIndexname() != "" // USING INDEX takes the index over
	}
	return true
}

// txBefore is the schema as the statement's transaction found it: the
// objects it changed as they were, the others as they are.
type txBefore struct {
	cat   *schema.Catalog
	saved txSaved // nil maps: nothing saved
}

// BeforeTransaction is the schema as the statement's transaction found it:
// what the previous release sees until the transaction commits. Outside a
// transaction block it is the catalog before the statement.
func (c *Context) BeforeTransaction() txBefore {
	if c.sess == nil || !c.sess.inTransaction() {
		return txBefore{cat: c.Catalog}
	}
	if c.sess.txc.whole != nil {
		return txBefore{cat: c.sess.txc.whole}
	}
	return txBefore{cat: c.Catalog, saved: c.sess.txc.saved}
}

func lookup[T any](saved map[schema.QName]*T, current map[schema.QName]*T, q schema.QName) *T {
	if v, ok := saved[q]; ok {
		return v
	}
	return current[q]
}

// Table is table (or materialized view) q as the transaction found it.
func (b txBefore) Table(q schema.QName) *schema.Table {
	return lookup(b.saved.tables, b.cat.Tables, q)
}

// View is view q as the transaction found it.
func (b txBefore) View(q schema.QName) *schema.View {
	return lookup(b.saved.views, b.cat.Views, q)
}

// Type is user-defined type q as the transaction found it.
func (b txBefore) Type(q schema.QName) *schema.Type {
	return lookup(b.saved.types, b.cat.Types, q)
}

// Sequence is sequence q as the transaction found it.
func (b txBefore) Sequence(q schema.QName) *schema.Object {
	return lookup(b.saved.sequences, b.cat.Sequences, q)
}

// Function is function q as the transaction found it.
func (b txBefore) Function(q schema.QName) *schema.Object {
	return lookup(b.saved.functions, b.cat.Functions, q)
}

// IndexesOn lists the indexes of table q as the transaction found them.
func (b txBefore) IndexesOn(q schema.QName) []*schema.Index {
	cur := b.cat.IndexesOn(q)
	if len(b.saved.indexes) == 0 {
		return cur
	}
	var out []*schema.Index
	for _, ix := range cur {
		if _, ok := b.saved.indexes[ix.Name]; !ok {
			out = append(out, ix)
		}
	}
	for _, ix := range b.saved.indexes {
		if ix != nil && ix.Table == q {
			out = append(out, ix)
		}
	}
	return out
}

// AfterTransaction is the catalog as the statement's transaction leaves
// it: a copy of the catalog with the statement and the later statements of
// its transaction replayed (outside a transaction block, the statement
// alone). The rules must not change it.
func (c *Context) AfterTransaction() *schema.Catalog {
	txc := &txCatalogs{}
	if c.sess != nil {
		txc = &c.sess.txc
	}
	whole := c.InTransaction() && c.Node == c.Stmt.Node // not a statement of a DO block
	if whole && txc.end != nil {
		return txc.end // the same for every statement of the transaction
	}
	if txc.endOne != nil && txc.endOf == c.Stmt && txc.endNode == c.Node {
		return txc.endOne
	}
	cat := c.Catalog.Clone()
	origin := func(s *sqltext.Statement) schema.Origin {
		return schema.Origin{New: true, Path: c.Path, Line: s.Pos.Line}
	}
	cat.Apply(c.Node, origin(c.Stmt))
	if c.File != nil && c.InTransaction() {
		for _, s := range c.laterStatements() {
			if t := s.Node.GetTransactionStmt(); t != nil && endsTransaction(t.Kind) {
				break
			}
			cat.Apply(s.Node, origin(s))
		}
	}
	if whole {
		txc.end = cat
	} else {
		txc.endOne, txc.endOf, txc.endNode = cat, c.Stmt, c.Node
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
