package split

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// requiredColumn cuts ADD COLUMN c ... NOT NULL without a default, which
// the previous release's inserts would violate: expand adds the column
// nullable; the contract makes it NOT NULL the way that holds no lock
// through the scan (see notNullContract).
func requiredColumn(rc *recipeContext, t *schema.Table, cmd *pg.AlterTableCmd) (*rewrite, error) {
	def := cmd.Def.GetColumnDef()
	if def == nil || !required(def) {
		return nil, nil
	}
	nullable := pg.Clone(def)
	nullable.IsNotNull = false
	var kept []*pg.Node
	for _, n := range nullable.Constraints {
		if n.GetConstraint().GetContype() != pg.ConstrType_CONSTR_NOTNULL {
			kept = append(kept, n)
		}
	}
	nullable.Constraints = kept
	add, err := deparse(alterCmd(rangeVar(t.Name), &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddColumn, Def: &pg.Node{Node: &pg.Node_ColumnDef{ColumnDef: nullable}}, MissingOk: cmd.MissingOk}))
	if err != nil {
		return nil, err
	}
	rw := &rewrite{
		what:       fmt.Sprintf("ADD COLUMN %s ... NOT NULL", def.Colname),
		expand:     []string{add},
		expandDown: []string{fmt.Sprintf("ALTER TABLE %s DROP COLUMN IF EXISTS %s", t.Name.SQL(), ident(def.Colname))},
		notes:      []string{fmt.Sprintf("rows written before the new code deploys (the previous release's) hold NULL in %s.%s: backfill them, in batches, before the deferred migration runs, or its VALIDATE fails", t.Name, def.Colname)},
	}
	notNullContract(rw, rc, t.Name, def.Colname)
	return rw, nil
}

// required reports a column definition that is NOT NULL without a
// default (identity and generated columns fill themselves).
func required(def *pg.ColumnDef) bool {
	notNull := def.IsNotNull
	if def.RawDefault != nil {
		return false
	}
	for _, n := range def.Constraints {
		switch n.GetConstraint().GetContype() {
		case pg.ConstrType_CONSTR_NOTNULL, pg.ConstrType_CONSTR_PRIMARY:
			notNull = true
		case pg.ConstrType_CONSTR_DEFAULT, pg.ConstrType_CONSTR_IDENTITY, pg.ConstrType_CONSTR_GENERATED:
			return false
		}
	}
	return notNull
}

// setNotNull cuts SET NOT NULL on a column production has: all of it waits
// for the next release (the previous one may write NULL), as the lock-safe
// steps of notNullContract.
func setNotNull(rc *recipeContext, t *schema.Table, column string) (*rewrite, error) {
	col := t.Column(column)
	if col == nil || col.NotNull || t.HasValidatedNotNullCheck(column) {
		return nil, nil // nothing to scan: moved as written
	}
	rw := &rewrite{what: fmt.Sprintf("ALTER COLUMN %s SET NOT NULL", column)}
	notNullContract(rw, rc, t.Name, column)
	return rw, nil
}

// notNullContract makes a column NOT NULL in the contract without holding
// ACCESS EXCLUSIVE through a scan: a CHECK (c IS NOT NULL) NOT VALID
// commits first; VALIDATE then scans under SHARE UPDATE EXCLUSIVE; SET NOT
// NULL uses the valid CHECK and skips its own scan (PostgreSQL 12+); the
// CHECK goes.
func notNullContract(rw *rewrite, rc *recipeContext, table schema.QName, column string) {
	tbl, col := table.SQL(), ident(column)
	check := ident(objectName(table.Name, column, "not_null"))
	// Said in the deferred migration itself, where the follow-up pull
	// request shows it, not only once by split.
	note := fmt.Sprintf("-- Before this runs, fill %s.%s in the rows that hold NULL (written before the new code deployed), in batches; the scan below fails on any, and the migration must then run again.", table, column)
	if rc.version > 0 && rc.version < 12 {
		rw.contract = append(rw.contract, []string{note, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", tbl, col)})
		rw.notes = append(rw.notes, fmt.Sprintf("before PostgreSQL 12, SET NOT NULL scans %s under ACCESS EXCLUSIVE whatever precedes it", table))
	} else {
		rw.contract = append(rw.contract,
			// Dropped first if there: the deferred migration may run again
			// after a failed VALIDATE (rows still NULL) committed this step.
			[]string{note, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s, ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID", tbl, check, check, col)},
			[]string{
				fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", tbl, check),
				fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", tbl, col),
				fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", tbl, check),
			})
	}
	rw.contractDown = append(rw.contractDown, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", tbl, col))
}

// rangeVar names a table in a statement.
func rangeVar(q schema.QName) *pg.RangeVar {
	rv := &pg.RangeVar{Relname: q.Name, Inh: true, Relpersistence: "p"}
	if q.Schema != "" && q.Schema != "public" {
		rv.Schemaname = q.Schema
	}
	return rv
}
