package schema

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// DROP of relations and other objects, with what depends on them.

func (c *Catalog) drop(s *pg.DropStmt) {
	for _, obj := range s.Objects {
		switch s.RemoveType {
		case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_FOREIGN_TABLE:
			q := c.resolveNames(ObjectNames(obj), c.hasRelation)
			c.dropTable(q, s.Behavior == pg.DropBehavior_DROP_CASCADE)
		case pg.ObjectType_OBJECT_VIEW:
			c.dropView(c.resolveNames(ObjectNames(obj), c.hasRelation), s.Behavior == pg.DropBehavior_DROP_CASCADE)
		case pg.ObjectType_OBJECT_INDEX:
			delete(c.Indexes, c.resolveNames(ObjectNames(obj), c.hasRelation))
		case pg.ObjectType_OBJECT_SEQUENCE:
			q := c.resolveNames(ObjectNames(obj), c.hasRelation)
			if o := c.Sequences[q]; o != nil && s.Behavior == pg.DropBehavior_DROP_CASCADE {
				// CASCADE drops the serial column's DEFAULT nextval(...) too.
				if t := c.Tables[o.Owner]; t != nil {
					if col := t.Column(o.OwnerColumn); col != nil && !col.Identity && !col.Generated {
						col.HasDefault, col.Default = false, nil
					}
				}
			}
			delete(c.Sequences, q)
		case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
			q := c.resolveNames(ObjectNames(obj), c.hasType)
			if s.Behavior == pg.DropBehavior_DROP_CASCADE && c.Types[q] != nil {
				c.dropTypeCascade(q) // the columns of the type go with it
			}
			delete(c.Types, q)
		case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_ROUTINE:
			delete(c.Functions, c.resolveNames(ObjectNames(obj), c.hasFunction))
		case pg.ObjectType_OBJECT_SCHEMA:
			name := strings.Join(ObjectNames(obj), ".")
			delete(c.Schemas, name)
			if s.Behavior == pg.DropBehavior_DROP_CASCADE {
				for q := range c.Tables {
					if q.Schema == name {
						c.dropTable(q, true)
					}
				}
				for q := range c.Views {
					if q.Schema == name {
						delete(c.Views, q)
					}
				}
				for q := range c.Indexes {
					if q.Schema == name {
						delete(c.Indexes, q)
					}
				}
				for q := range c.Sequences {
					if q.Schema == name {
						delete(c.Sequences, q)
					}
				}
				for q := range c.Types {
					if q.Schema == name {
						delete(c.Types, q)
					}
				}
				for q := range c.Functions {
					if q.Schema == name {
						delete(c.Functions, q)
					}
				}
			}
		case pg.ObjectType_OBJECT_TRIGGER:
			names := ObjectNames(obj)
			if len(names) >= 2 {
				tq := c.resolveNames(names[:len(names)-1], c.hasRelation)
				delete(c.Triggers, tq.String()+"."+names[len(names)-1])
			}
		case pg.ObjectType_OBJECT_EXTENSION:
			delete(c.Other, "extension "+strings.Join(ObjectNames(obj), "."))
		}
	}
}

// Reach names the objects statement n changes when the catalog can name
// them all, for the statements whose reach goes past the objects they
// name: DROP, with CASCADE the views that read a relation, however deep,
// and the tables whose columns have a dropped type; a relation's indexes
// and owned sequences; ALTER TYPE or DOMAIN ... RENAME TO, the tables
// whose columns have the type (they follow it). ok is false for other
// statements, and for those whose reach it does not hold (a sequence's
// column default, a schema's contents, an index): a caller that must
// know what changed then copies the whole catalog. It follows drop and
// rename; TestReach holds them together.
func (c *Catalog) Reach(n *pg.Node) (names []QName, ok bool) {
	switch s := n.GetNode().(type) {
	case *pg.Node_DropStmt:
		return c.dropReach(s.DropStmt)
	case *pg.Node_RenameStmt:
		switch s.RenameStmt.RenameType {
		case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
			old := c.ResolveType(ObjectNames(s.RenameStmt.Object))
			return append([]QName{old}, c.tablesUsingType(old)...), true
		}
	}
	return nil, false
}

func (c *Catalog) dropReach(s *pg.DropStmt) (names []QName, ok bool) {
	seen := map[QName]bool{}
	var viewsOf func(q QName)
	viewsOf = func(q QName) {
		for _, v := range c.ViewsReading(q) {
			if !seen[v] { // views that read each other: drop deletes each once
				seen[v] = true
				names = append(names, v)
				viewsOf(v)
			}
		}
	}
	cascade := s.Behavior == pg.DropBehavior_DROP_CASCADE
	for _, obj := range s.Objects {
		switch s.RemoveType {
		case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_FOREIGN_TABLE:
			q := c.resolveNames(ObjectNames(obj), c.hasRelation)
			names = append(names, q) // its indexes go with the table's name
			names = append(names, c.ownedSequences(q, "")...)
			if cascade {
				viewsOf(q)
			}
		case pg.ObjectType_OBJECT_VIEW:
			q := c.resolveNames(ObjectNames(obj), c.hasRelation)
			names = append(names, q)
			if cascade {
				viewsOf(q)
			}
		case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_ROUTINE:
			names = append(names, c.resolveNames(ObjectNames(obj), c.hasFunction))
		case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
			q := c.resolveNames(ObjectNames(obj), c.hasType)
			names = append(names, q)
			if cascade { // dropTypeCascade drops its columns, with the sequences they own
				for _, tc := range c.ColumnsOfType(q) {
					names = append(names, tc.Table)
					names = append(names, c.ownedSequences(tc.Table, tc.Column)...)
				}
			}
		default:
			return nil, false
		}
	}
	return names, true
}

// tablesUsingType names the tables with a column whose type is spelt q,
// the ones a rename of the type changes (rename).
func (c *Catalog) tablesUsingType(q QName) []QName {
	var out []QName
	for tq, t := range c.Tables {
		for _, col := range t.Columns {
			if col.Type.Name == q.String() {
				out = append(out, tq)
				break
			}
		}
	}
	return out
}

// dropTable drops table q with its indexes and the sequences its columns
// own, and, with CASCADE, the views that read it.
func (c *Catalog) dropTable(q QName, cascade bool) {
	delete(c.Tables, q)
	for k, ix := range c.Indexes {
		if ix.Table == q {
			delete(c.Indexes, k)
		}
	}
	c.dropOwnedSequences(q, "")
	if cascade {
		for _, v := range c.ViewsReading(q) {
			c.dropView(v, true)
		}
	}
}

// dropView drops view q, and with CASCADE the views that read it.
func (c *Catalog) dropView(q QName, cascade bool) {
	if c.Views[q] == nil {
		return
	}
	delete(c.Views, q)
	if cascade {
		for _, v := range c.ViewsReading(q) {
			c.dropView(v, true)
		}
	}
}
