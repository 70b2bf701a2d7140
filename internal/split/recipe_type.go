package split

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// changeType refuses ALTER COLUMN ... TYPE that changes what a column
// holds: a column has one type, and both releases use it by one name, the
// previous one with the old type, the new one with the new. No statement
// order keeps the name right for both, so split gives the recipe instead
// of guessing which name the new code should use.
func changeType(rc *recipeContext, t *schema.Table, cmd *pg.AlterTableCmd) error {
	col := t.Column(cmd.Name)
	if col == nil {
		return nil
	}
	typ := "the new type"
	if def := cmd.Def.GetColumnDef(); def != nil && def.TypeName != nil {
		if s, err := typeSQL(def.TypeName); err == nil {
			typ = s
		}
	}
	c := ident(cmd.Name)
	next := ident(objectName(cmd.Name, "new"))
	return rc.refuse(fmt.Sprintf("ALTER COLUMN %s TYPE %s changes a column both releases use under one name, the previous release with %s, the new one with %s; no order of statements keeps that name right for both",
		cmd.Name, typ, col.Type, typ), fmt.Sprintf(`Change the type through a second column:
1. expand: ALTER TABLE %[1]s ADD COLUMN %[3]s %[4]s; a trigger that keeps %[3]s = %[2]s::%[4]s for the rows the previous release writes (and %[2]s in step for those the new one writes); backfill %[3]s in batches;
2. deploy code that reads and writes %[3]s;
3. contract (deferred): drop the trigger and ALTER TABLE %[1]s DROP COLUMN %[2]s (a later release may rename %[3]s with the same recipe as a rename).`,
		t.Name.SQL(), c, next, typ))
}
