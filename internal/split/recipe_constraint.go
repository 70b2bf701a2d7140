package split

import (
	"fmt"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// addConstraint cuts ADD CONSTRAINT ... CHECK or FOREIGN KEY over columns
// production has. All of it waits for the next release: NOT VALID only
// skips the existing rows, it still rejects the previous release's new
// writes that violate the rule. In the contract it is added NOT VALID,
// which commits at once, then validated in a transaction of its own,
// whose scan takes only SHARE UPDATE EXCLUSIVE.
func addConstraint(rc *recipeContext, t *schema.Table, con *pg.Constraint) (*rewrite, error) {
	if con == nil || con.SkipValidation {
		return nil, nil
	}
	if con.Contype != pg.ConstrType_CONSTR_CHECK && con.Contype != pg.ConstrType_CONSTR_FOREIGN {
		return nil, nil
	}
	c := pg.Clone(con)
	if c.Conname == "" {
		kind := "check"
		cols := []string{}
		if c.Contype == pg.ConstrType_CONSTR_FOREIGN {
			kind = "fkey"
			for _, n := range c.FkAttrs {
				cols = append(cols, n.GetString_().GetSval())
			}
		}
		if len(cols) == 0 {
			return nil, rc.refuse("the constraint has no name, and VALIDATE CONSTRAINT needs one", "Name it (ADD CONSTRAINT name ...), then run phasegate split again.")
		}
		c.Conname = objectName(append(append([]string{t.Name.Name}, cols[:1]...), kind)...)
	}
	c.SkipValidation = true
	add, err := deparse(alterCmd(rangeVar(t.Name), &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddConstraint, Def: &pg.Node{Node: &pg.Node_Constraint{Constraint: c}}}))
	if err != nil {
		return nil, err
	}
	// Dropped first if there: the deferred migration may run again after
	// a failed VALIDATE (rows that violate it) committed this step.
	add = strings.Replace(add, " ADD CONSTRAINT ", fmt.Sprintf(" DROP CONSTRAINT IF EXISTS %s, ADD CONSTRAINT ", ident(c.Conname)), 1)
	return &rewrite{
		what: fmt.Sprintf("ADD CONSTRAINT %s", c.Conname),
		contract: [][]string{
			{add},
			{fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", t.Name.SQL(), ident(c.Conname))},
		},
		contractDown: []string{fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", t.Name.SQL(), ident(c.Conname))},
	}, nil
}
