package split

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
)

// uniqueConstraint cuts ADD CONSTRAINT ... UNIQUE (or PRIMARY KEY) over
// columns production has. Like a CHECK, all of it waits for the next
// release (the previous one may write duplicates); in the contract its
// index is built CONCURRENTLY, which blocks no writes, and the constraint
// then takes it over (USING INDEX: a brief lock, no scan). The index
// build cannot run in a transaction, so the deferred migration runs
// statement by statement: split writes the recipe for the tools that run
// a migration that way, refuses for those that send a migration of
// several statements as one query (giving the steps), and moves the
// statement as written for the others (an ORM's revision, which split
// writes its own way).
//
// Moved as written too: a PRIMARY KEY over a nullable column (USING INDEX
// would make the column NOT NULL with a scan under the lock), and a
// partitioned table (PostgreSQL builds no index CONCURRENTLY on one).
func uniqueConstraint(rc *recipeContext, t *schema.Table, con *pg.Constraint) (*rewrite, error) {
	if con.Indexname != "" || len(con.Keys) == 0 || t.Partitioned {
		return nil, nil // USING INDEX already, a form without columns, or partitioned
	}
	sep, ok := source.Separation(rc.format)
	if !ok {
		return nil, nil
	}
	kind, word := schema.Unique, "UNIQUE"
	if con.Contype == pg.ConstrType_CONSTR_PRIMARY {
		kind, word = schema.PrimaryKey, "PRIMARY KEY"
	}
	var cols []string
	for _, k := range con.Keys {
		cols = append(cols, k.GetString_().GetSval())
	}
	if kind == schema.PrimaryKey && !t.AllNotNull(cols) {
		return nil, nil
	}
	name := con.Conname
	if name == "" {
		name = rc.cat.ConstraintName(t.Name, kind, cols)
	}
	// The index takes the constraint's name: a relation of that name in
	// the schema (PostgreSQL would pick another name for an unnamed
	// constraint, or refuse a named one) must not be mistaken for it.
	q := schema.QName{Schema: t.Name.Schema, Name: name}
	if rc.cat.Tables[q] != nil || rc.cat.Indexes[q] != nil || rc.cat.Views[q] != nil || rc.cat.Sequences[q] != nil {
		return nil, rc.refuse(fmt.Sprintf("the %s constraint's index would be named %s, and the schema has a relation of that name", word, q),
			fmt.Sprintf("Name the constraint (ALTER TABLE %s ADD CONSTRAINT a_free_name %s (...)), then run phasegate split again.", t.Name.SQL(), word))
	}
	ix := &pg.IndexStmt{
		Idxname: name, Relation: rangeVar(t.Name), AccessMethod: "btree", Unique: true, Concurrent: true,
		Options: con.Options, TableSpace: con.Indexspace, NullsNotDistinct: con.NullsNotDistinct,
	}
	for _, c := range cols {
		ix.IndexParams = append(ix.IndexParams, indexElem(c))
	}
	for _, n := range con.Including {
		ix.IndexIncludingParams = append(ix.IndexIncludingParams, indexElem(n.GetString_().GetSval()))
	}
	build, err := deparse(&pg.Node{Node: &pg.Node_IndexStmt{IndexStmt: ix}})
	if err != nil {
		return nil, err
	}
	using := &pg.Constraint{Contype: con.Contype, Conname: name, Indexname: name, Deferrable: con.Deferrable, Initdeferred: con.Initdeferred}
	add, err := deparse(alterCmd(rangeVar(t.Name), &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddConstraint, Def: &pg.Node{Node: &pg.Node_Constraint{Constraint: using}}}))
	if err != nil {
		return nil, err
	}
	index := q.SQL()
	if sep != source.TxNone {
		return nil, rc.refuse(fmt.Sprintf("the %s constraint's index must be built CONCURRENTLY, outside a transaction, and %s runs a deferred migration of several statements as one", word, rc.format.Name()),
			fmt.Sprintf(`Defer it by hand, in two steps that ship one after the other:
1. a deferred migration of this one statement (a single statement runs outside a transaction): %s; (if it fails, on a duplicate, it leaves an INVALID index: DROP INDEX CONCURRENTLY %s; then run it again)
2. once it has run, a migration of: %s; (a brief lock, no scan)`, build, index, add))
	}
	return &rewrite{
		what: fmt.Sprintf("ADD CONSTRAINT %s %s", name, word),
		// Statement by statement (source.Separation). The build waits for every
		// transaction older than it, which a lock_timeout or
		// statement_timeout of the migration would cancel, leaving an
		// invalid index; the brief lock of USING INDEX gets one again.
		contract: [][]string{
			{"-- If the index build fails (a duplicate, or a cancel), it leaves an INVALID index " + name + " behind; drop it (DROP INDEX CONCURRENTLY " + index + ") before running this again.",
				"SET lock_timeout = 0", "SET statement_timeout = 0"},
			{build},
			{"SET lock_timeout = '5s'"},
			{add},
		},
		contractDown: []string{fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", t.Name.SQL(), ident(name)), "DROP INDEX IF EXISTS " + index},
	}, nil
}

// indexElem is a plain column of an index.
func indexElem(column string) *pg.Node {
	return &pg.Node{Node: &pg.Node_IndexElem{IndexElem: &pg.IndexElem{Name: column, Ordering: pg.SortByDir_SORTBY_DEFAULT, NullsOrdering: pg.SortByNulls_SORTBY_NULLS_DEFAULT}}}
}
