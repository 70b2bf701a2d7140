package split

import (
	"fmt"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// dropColumn checks a DROP COLUMN before it moves to the deferred
// migration: the new code must no longer use the column (else split
// refuses: the contract-ready scenario would fail), and a column that is
// NOT NULL without a default must accept NULL before the deploy, or the
// new code's inserts, which no longer write it, fail.
func dropColumn(rc *recipeContext, t *schema.Table, column string) (*rewrite, error) {
	col := t.Column(column)
	if col == nil {
		return nil, nil
	}
	if err := rc.unused(fmt.Sprintf("%s.%s", t.Name, column), column, tableWords(t.Name.Name)); err != nil {
		return nil, err
	}
	if !col.NotNull || col.HasDefault || col.Identity || col.Generated {
		return nil, nil
	}
	for _, con := range t.Constraints {
		if con.Kind == schema.PrimaryKey && contains(con.Columns, column) {
			return nil, nil // the table's key: dropping it is a redesign, moved as written
		}
	}
	tbl := t.Name.SQL()
	return &rewrite{
		what:         fmt.Sprintf("DROP COLUMN %s", column),
		moveOriginal: true,
		expand:       []string{fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", tbl, ident(column))},
		// Its down cannot make the column NOT NULL again: the new code has
		// written rows without it.
		expandDown: []string{fmt.Sprintf("-- %s.%s stays nullable: the new release wrote rows without it", t.Name, column)},
		notes:      []string{fmt.Sprintf("%s.%s is NOT NULL without a default: it accepts NULL from now on, because the new code no longer writes it", t.Name, column)},
	}, nil
}

// dropObjects checks a DROP TABLE or DROP VIEW before it moves: the new
// code must no longer use what it drops.
func dropObjects(rc *recipeContext, d *pg.DropStmt) error {
	switch d.RemoveType {
	case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW:
	default:
		return nil
	}
	for _, o := range d.Objects {
		q := rc.cat.ResolveNames(schema.ObjectNames(o))
		if err := rc.unused(q.String(), q.Name, nil); err != nil {
			return err
		}
	}
	return nil
}

// unused refuses when the new code mentions word (and, when given, one of
// context in the same file): moving the drop would leave the deferred
// migration breaking the release that ships now.
func (rc *recipeContext) unused(object, word string, context []string) error {
	if rc.usage == nil {
		return nil
	}
	places := rc.usage.find(word, context, 5)
	if len(places) == 0 {
		return nil
	}
	return rc.refuse(fmt.Sprintf("the new code still mentions %s, which it drops:\n  %s\nDeferred, the drop would break this release when the follow-up applies it (phasegate check's contract-ready scenario fails).", object, strings.Join(places, "\n  ")),
		"Stop using it in this release first, then run phasegate split again; if these lines are not uses (a comment, another table's column), pass --force.")
}

// tableWords are the words code uses for a table: its name, singular and
// plural, and the model name of an ORM table (accounts_user → user).
func tableWords(table string) []string {
	words := []string{table}
	if i := strings.LastIndexByte(table, '_'); i >= 0 && i+1 < len(table) {
		words = append(words, table[i+1:])
	}
	for _, w := range append([]string(nil), words...) {
		switch {
		case strings.HasSuffix(w, "ies"):
			words = append(words, strings.TrimSuffix(w, "ies")+"y")
		case strings.HasSuffix(w, "s"):
			words = append(words, strings.TrimSuffix(w, "s"))
		default:
			words = append(words, w+"s")
		}
	}
	return words
}
