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
// statement by statement: split writes the recipe for the tools that can
// run a migration that way, and gives the steps for the others.
//
// A PRIMARY KEY over a nullable column is moved as written: USING INDEX
// would make the column NOT NULL with a scan under the lock.
func uniqueConstraint(rc *recipeContext, t *schema.Table, con *pg.Constraint) (*rewrite, error) {
	if con.Indexname != "" || len(con.Keys) == 0 {
		return nil, nil // USING INDEX already, or a form without columns
	}
	kind, word := schema.Unique, "UNIQUE"
	if con.Contype == pg.ConstrType_CONSTR_PRIMARY {
		kind, word = schema.PrimaryKey, "PRIMARY KEY"
	}
	var cols []string
	for _, k := range con.Keys {
		name := k.GetString_().GetSval()
		if kind == schema.PrimaryKey {
			if c := t.Column(name); c == nil || !c.NotNull {
				return nil, nil
			}
		}
		cols = append(cols, name)
	}
	name := con.Conname
	if name == "" {
		name = rc.cat.ConstraintName(t.Name, kind, cols)
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
	index := schema.QName{Schema: t.Name.Schema, Name: name}.SQL()
	// An index build that failed (a duplicate) leaves an invalid index of
	// that name: dropped first, the deferred migration can run again once
	// the duplicates are gone.
	drop := "DROP INDEX CONCURRENTLY IF EXISTS " + index
	if sep, ok := separation(rc.format); !ok || sep != source.TxNone {
		tool := "the tool"
		if rc.format != nil {
			tool = rc.format.Name()
		}
		return nil, rc.refuse(fmt.Sprintf("the %s constraint's index must be built CONCURRENTLY, outside a transaction, and %s runs a deferred migration of several statements as one", word, tool),
			fmt.Sprintf(`Defer it by hand, in two steps that ship one after the other:
1. a deferred migration of this one statement (a single statement runs outside a transaction): %s;
2. once it has run, a migration of: %s; (a brief lock, no scan)`, build, add))
	}
	return &rewrite{
		what: fmt.Sprintf("ADD CONSTRAINT %s %s", name, word),
		// Three transactions: the deferred migration runs statement by
		// statement (separation), as the index build needs.
		contract:     [][]string{{drop}, {build}, {add}},
		contractDown: []string{fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", t.Name.SQL(), ident(name)), "DROP INDEX IF EXISTS " + index},
	}, nil
}

// indexElem is a plain column of an index.
func indexElem(column string) *pg.Node {
	return &pg.Node{Node: &pg.Node_IndexElem{IndexElem: &pg.IndexElem{Name: column, Ordering: pg.SortByDir_SORTBY_DEFAULT, NullsOrdering: pg.SortByNulls_SORTBY_NULLS_DEFAULT}}}
}
