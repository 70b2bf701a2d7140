package schema

// Clone returns a deep copy of the catalog: replaying more statements into
// either leaves the other as it was. Parse-tree nodes (definitions kept for
// recreating objects) are shared: the catalog never changes them.
func (c *Catalog) Clone() *Catalog {
	out := New()
	for q, t := range c.Tables {
		out.Tables[q] = t.Clone()
	}
	for q, v := range c.Views {
		out.Views[q] = v.Clone()
	}
	for q, ix := range c.Indexes {
		out.Indexes[q] = ix.Clone()
	}
	for q, t := range c.Types {
		out.Types[q] = t.Clone()
	}
	for q, o := range c.Sequences {
		out.Sequences[q] = o.Clone()
	}
	for q, o := range c.Functions {
		out.Functions[q] = o.Clone()
	}
	for k, o := range c.Schemas {
		out.Schemas[k] = o.Clone()
	}
	for k, o := range c.Triggers {
		out.Triggers[k] = o.Clone()
	}
	for k, o := range c.Other {
		out.Other[k] = o.Clone()
	}
	out.Gaps = append([]Gap(nil), c.Gaps...)
	out.searchPath = append([]string(nil), c.searchPath...)
	if c.searchPath == nil {
		out.searchPath = nil
	}
	return out
}

// clonedStrings copies a list, keeping nil (unknown) apart from empty.
func clonedStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string{}, s...)
}

// Clone returns a deep copy of the table (nil for nil). The copies of the
// columns, of the constraints and of the constraints' column lists are
// each one allocation: the checker keeps a copy of every table a
// transaction touches, and one allocation per column was most of that cost.
func (t *Table) Clone() *Table {
	if t == nil {
		return nil
	}
	nt := *t
	cols := make([]Column, len(t.Columns))
	nt.Columns = make([]*Column, len(t.Columns))
	for i, col := range t.Columns {
		cols[i] = *col
		nt.Columns[i] = &cols[i]
	}
	cons := make([]Constraint, 0, len(t.Constraints))
	names := 0
	for _, con := range t.Constraints {
		names += len(con.Columns)
	}
	conCols := make([]string, 0, names)
	nt.Constraints = make(map[string]*Constraint, len(t.Constraints))
	for k, con := range t.Constraints {
		cc := *con
		if len(con.Columns) > 0 {
			// A full slice expression: an append to one constraint's
			// list must not write over the next one's.
			start := len(conCols)
			conCols = append(conCols, con.Columns...)
			cc.Columns = conCols[start:len(conCols):len(conCols)]
		}
		cons = append(cons, cc)
		nt.Constraints[k] = &cons[len(cons)-1]
	}
	nt.ViewColumns = clonedStrings(t.ViewColumns)
	return &nt
}

// Clone returns a deep copy of the view (nil for nil).
func (v *View) Clone() *View {
	if v == nil {
		return nil
	}
	nv := *v
	nv.Reads = append([]QName(nil), v.Reads...)
	nv.Columns = clonedStrings(v.Columns)
	return &nv
}

// Clone returns a deep copy of the index (nil for nil).
func (ix *Index) Clone() *Index {
	if ix == nil {
		return nil
	}
	ni := *ix
	ni.Columns = append([]string(nil), ix.Columns...)
	return &ni
}

// Clone returns a deep copy of the type (nil for nil). A domain's
// definition is shared: it is copied on write (alterDomain).
func (t *Type) Clone() *Type {
	if t == nil {
		return nil
	}
	nt := *t
	nt.Mods = append([]int(nil), t.Mods...)
	nt.Values = append([]string(nil), t.Values...)
	if t.Attrs != nil {
		nt.Attrs = append([]Attr{}, t.Attrs...)
	}
	return &nt
}

// Clone returns a copy of the object (nil for nil).
func (o *Object) Clone() *Object {
	if o == nil {
		return nil
	}
	no := *o
	return &no
}
