package split

import (
	"fmt"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// A rewrite is split's surgery on one contract statement that cannot
// simply wait for the next release, because the new code needs part of
// it now (a column under its new name, a required column it writes): the
// statement is cut into the standard expand/contract recipe.
type rewrite struct {
	// what names the statement in comments and output: "RENAME COLUMN name
	// TO full_name".
	what string
	// expand replaces the statement in its migration: applied before the
	// deploy, safe for the previous release. Empty: nothing stays.
	expand []string
	// keepOriginal keeps the statement itself in its migration, before
	// expand (a table rename, which a view makes safe); moveOriginal moves
	// it as written to the deferred migration, before contract (a drop that
	// needs an expand step first).
	keepOriginal, moveOriginal bool
	// atomic asks for the statement and expand to commit together: in a
	// migration the tool runs statement by statement they are wrapped in
	// BEGIN and COMMIT (a renamed table and the view of its old name).
	atomic bool
	// online steps run after that migration, each outside a transaction
	// (a batched backfill, CREATE INDEX CONCURRENTLY), in migrations of
	// their own that the tool applies right after it.
	online []onlineStep
	// contract is the deferred part, as transactions that must commit one
	// after the other (a VALIDATE's scan must not run under the lock of
	// the statement before it).
	contract [][]string
	// expandDown and contractDown revert expand and contract, for formats
	// with down migrations.
	expandDown, contractDown []string
	// notes say what the user must still do (views that read the old name,
	// rows to backfill before the contract).
	notes []string
}

// onlineStep is one statement that must run outside a transaction.
type onlineStep struct {
	name string // the words it adds to its migration's name
	sql  string
	down string // reverts it; "" when there is nothing to undo
}

// Refusal is a statement split will not cut: the recipe cannot be made
// safe from what the history says, or the new code still uses what the
// statement removes. Nothing is written.
type Refusal struct {
	Path string
	Line int
	// Why says what stops split; Recipe what to do instead.
	Why, Recipe string
}

// Error reads as sentences: the first line of Why follows "split refuses
// it:", a full stop ends Why when it does not end in one (or a colon that
// introduces the lines after it), and the rest of Why and the Recipe follow
// indented by two spaces.
func (r *Refusal) Error() string {
	why := strings.TrimRight(r.Why, "\n")
	if !strings.HasSuffix(why, ".") && !strings.HasSuffix(why, ":") {
		why += "."
	}
	first, rest, _ := strings.Cut(why, "\n")
	s := fmt.Sprintf("%s:%d: split refuses it: %s", r.Path, r.Line, first)
	for _, more := range []string{rest, r.Recipe} {
		if more != "" {
			s += "\n" + indent(more, "  ")
		}
	}
	return s
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// recipeContext is what a recipe knows about its statement.
type recipeContext struct {
	path string
	stmt *sqltext.Statement
	// cat is the schema just before the statement.
	cat *schema.Catalog
	// version is the target PostgreSQL major version.
	version int
	// format is the migration tool's: whether the deferred migration can
	// run statement by statement.
	format source.Format
	// usage finds where the new code mentions words; nil when split cannot
	// read the code.
	usage *usageIndex
}

func (rc *recipeContext) refuse(why, recipe string) *Refusal {
	return &Refusal{Path: rc.path, Line: rc.stmt.Pos.Line, Why: why, Recipe: recipe}
}

// existingTable returns the table q when production has it.
func (rc *recipeContext) existingTable(q schema.QName) *schema.Table {
	t := rc.cat.Table(q)
	if t == nil || t.Origin.New {
		return nil
	}
	return t
}

// decide returns the rewrite of a contract statement, nil when moving it
// whole to the deferred migration is right, or a *Refusal.
func decide(rc *recipeContext) (*rewrite, error) {
	switch n := rc.stmt.Node.GetNode().(type) {
	case *pg.Node_RenameStmt:
		s := n.RenameStmt
		switch s.RenameType {
		case pg.ObjectType_OBJECT_COLUMN:
			if s.RelationType == pg.ObjectType_OBJECT_TABLE {
				return renameColumn(rc, s)
			}
		case pg.ObjectType_OBJECT_TABLE:
			return renameTable(rc, s)
		}
	case *pg.Node_AlterTableStmt:
		return alterTable(rc, n.AlterTableStmt)
	case *pg.Node_DropStmt:
		return nil, dropObjects(rc, n.DropStmt)
	}
	return nil, nil
}

// alterTable decides for each command of an ALTER TABLE.
func alterTable(rc *recipeContext, a *pg.AlterTableStmt) (*rewrite, error) {
	if a.Objtype != pg.ObjectType_OBJECT_TABLE {
		return nil, nil
	}
	q := rc.cat.Resolve(a.Relation)
	t := rc.existingTable(q)
	if t == nil {
		return nil, nil
	}
	var rw *rewrite
	var decided []string
	for _, n := range a.Cmds {
		cmd := n.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		var r *rewrite
		var err error
		switch cmd.Subtype {
		case pg.AlterTableType_AT_AddColumn:
			r, err = requiredColumn(rc, t, cmd)
		case pg.AlterTableType_AT_SetNotNull:
			r, err = setNotNull(rc, t, cmd.Name)
		case pg.AlterTableType_AT_AlterColumnType:
			err = changeType(rc, t, cmd)
		case pg.AlterTableType_AT_AddConstraint:
			switch con := cmd.Def.GetConstraint(); con.GetContype() {
			case pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_PRIMARY:
				r, err = uniqueConstraint(rc, t, con)
			default:
				r, err = addConstraint(rc, t, con)
			}
		case pg.AlterTableType_AT_DropColumn:
			r, err = dropColumn(rc, t, cmd.Name)
		}
		if err != nil {
			return nil, err
		}
		if r != nil {
			decided = append(decided, r.what)
			rw = r
		}
	}
	if rw != nil && len(a.Cmds) > 1 {
		return nil, rc.refuse(fmt.Sprintf("this ALTER TABLE makes %d changes, and %s must be cut into steps", len(a.Cmds), strings.Join(decided, " and ")),
			"Write each change as an ALTER TABLE of its own, then run phasegate split again.")
	}
	return rw, nil
}
