package schema

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// Renames, and moves to another schema, of relations and schemas: every
// name that refers to the old one follows.

func (c *Catalog) rename(s *pg.RenameStmt) {
	switch s.RenameType {
	case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_FOREIGN_TABLE,
		pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_INDEX, pg.ObjectType_OBJECT_SEQUENCE:
		// ALTER TABLE ... RENAME works on any relation (views, sequences),
		// and the others name the relation they rename: relations share
		// one namespace, so the name finds one of them.
		c.renameRelation(c.Resolve(s.Relation), s.Newname)
	case pg.ObjectType_OBJECT_COLUMN:
		if t := c.Tables[c.Resolve(s.Relation)]; t != nil {
			if col := t.Column(s.Subname); col != nil {
				col.Name = s.Newname
			}
			for _, con := range t.Constraints {
				replace(con.Columns, s.Subname, s.Newname)
				if con.NotNullOf == s.Subname {
					con.NotNullOf = s.Newname
				}
			}
			for _, ix := range c.IndexesOn(t.Name) {
				replace(ix.Columns, s.Subname, s.Newname)
			}
			for _, o := range c.Sequences {
				if o.Owner == t.Name && o.OwnerColumn == s.Subname {
					o.OwnerColumn = s.Newname
				}
			}
		}
	case pg.ObjectType_OBJECT_TABCONSTRAINT:
		if t := c.Tables[c.Resolve(s.Relation)]; t != nil {
			if con := t.Constraints[s.Subname]; con != nil {
				delete(t.Constraints, s.Subname)
				con.Name = s.Newname
				t.Constraints[s.Newname] = con
			}
		}
	case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
		old := c.resolveNames(ObjectNames(s.Object), c.hasType)
		if t := c.Types[old]; t != nil {
			delete(c.Types, old)
			nq := QName{Schema: old.Schema, Name: s.Newname}
			t.Name = nq.String()
			c.Types[nq] = t
			// Columns of the type follow it: PostgreSQL refers to types by
			// oid, not by name.
			for _, tbl := range c.Tables {
				for _, col := range tbl.Columns {
					if col.Type.Name == old.String() {
						col.Type.Name = nq.String()
					}
				}
			}
		}
	case pg.ObjectType_OBJECT_ATTRIBUTE:
		if t := c.Types[c.resolve(s.Relation.GetSchemaname(), s.Relation.GetRelname(), c.hasType)]; t != nil && t.Attrs != nil {
			attrs := append([]Attr(nil), t.Attrs...)
			for i := range attrs {
				if attrs[i].Name == s.Subname {
					attrs[i].Name = s.Newname
				}
			}
			t.Attrs = attrs
		}
	case pg.ObjectType_OBJECT_SCHEMA:
		if o := c.Schemas[s.Subname]; o != nil {
			delete(c.Schemas, s.Subname)
			c.Schemas[s.Newname] = o
		}
		c.moveSchema(s.Subname, s.Newname)
	case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_ROUTINE:
		old := c.resolveNames(ObjectNames(s.Object), c.hasFunction)
		if o := c.Functions[old]; o != nil {
			delete(c.Functions, old)
			o.Name = QName{Schema: old.Schema, Name: s.Newname}
			c.Functions[o.Name] = o
		}
	}
}

// renameRelation renames the table, view, index or sequence old.
func (c *Catalog) renameRelation(old QName, newName string) {
	c.moveRelation(old, QName{Schema: old.Schema, Name: newName})
}

// moveRelation gives the relation old (a table, view, index or sequence)
// the name nq, and points what refers to it at the new name.
func (c *Catalog) moveRelation(old, nq QName) {
	if old == nq {
		return
	}
	if t := c.Tables[old]; t != nil {
		delete(c.Tables, old)
		t.Name = nq
		c.Tables[nq] = t
	}
	if v := c.Views[old]; v != nil {
		delete(c.Views, old)
		v.Name = nq
		c.Views[nq] = v
	}
	if ix := c.Indexes[old]; ix != nil {
		delete(c.Indexes, old)
		ix.Name = nq
		c.Indexes[nq] = ix
	}
	if o := c.Sequences[old]; o != nil {
		delete(c.Sequences, old)
		o.Name = nq
		c.Sequences[nq] = o
	}
	c.retarget(old, nq)
}

func replace(list []string, old, new string) {
	for i, v := range list {
		if v == old {
			list[i] = new
		}
	}
}

// retarget points indexes, views, foreign keys and owned sequences at a
// renamed relation.
func (c *Catalog) retarget(old, new QName) {
	for _, ix := range c.Indexes {
		if ix.Table == old {
			ix.Table = new
		}
	}
	for _, v := range c.Views {
		for i, r := range v.Reads {
			if r == old {
				v.Reads[i] = new
			}
		}
	}
	for _, t := range c.Tables {
		for _, con := range t.Constraints {
			if con.Refs == old {
				con.Refs = new
			}
		}
	}
	for _, o := range c.Sequences {
		if o.Owner == old {
			o.Owner = new
		}
	}
}

// moveSchema renames the schema part of every object in schema from.
func (c *Catalog) moveSchema(from, to string) {
	if from == to {
		return
	}
	var rels []QName
	collect := func(q QName) {
		if q.Schema == from {
			rels = append(rels, q)
		}
	}
	for q := range c.Tables {
		collect(q)
	}
	for q := range c.Views {
		collect(q)
	}
	for q := range c.Indexes {
		collect(q)
	}
	for q := range c.Sequences {
		collect(q)
	}
	for _, q := range rels {
		c.moveRelation(q, QName{Schema: to, Name: q.Name})
	}
	var types, funcs []QName
	for q := range c.Types {
		if q.Schema == from {
			types = append(types, q)
		}
	}
	for q := range c.Functions {
		if q.Schema == from {
			funcs = append(funcs, q)
		}
	}
	for _, q := range types {
		t := c.Types[q]
		delete(c.Types, q)
		nq := QName{Schema: to, Name: q.Name}
		t.Name = nq.String()
		c.Types[nq] = t
	}
	for _, q := range funcs {
		o := c.Functions[q]
		delete(c.Functions, q)
		o.Name = QName{Schema: to, Name: q.Name}
		c.Functions[o.Name] = o
	}
}

func (c *Catalog) setSchema(s *pg.AlterObjectSchemaStmt) {
	if s.Relation == nil {
		return
	}
	old := c.Resolve(s.Relation)
	if old.Schema == s.Newschema {
		return
	}
	moved := []QName{old}
	if c.Tables[old] != nil {
		// A table takes its indexes and the sequences it owns along.
		for q, ix := range c.Indexes {
			if ix.Table == old {
				moved = append(moved, q)
			}
		}
		for q, o := range c.Sequences {
			if o.Owner == old {
				moved = append(moved, q)
			}
		}
	}
	for _, q := range moved {
		c.moveRelation(q, QName{Schema: s.Newschema, Name: q.Name})
	}
}
