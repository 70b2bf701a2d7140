package schema

// Clone returns a deep copy of the catalog: replaying more statements into
// either leaves the other as it was. Parse-tree nodes (definitions kept for
// recreating objects) are shared: the catalog never changes them.
func (c *Catalog) Clone() *Catalog {
	out := New()
	for q, t := range c.Tables {
		nt := *t
		nt.Columns = make([]*Column, len(t.Columns))
		for i, col := range t.Columns {
			cc := *col
			nt.Columns[i] = &cc
		}
		nt.Constraints = make(map[string]*Constraint, len(t.Constraints))
		for k, con := range t.Constraints {
			cc := *con
			cc.Columns = append([]string(nil), con.Columns...)
			nt.Constraints[k] = &cc
		}
		out.Tables[q] = &nt
	}
	for q, v := range c.Views {
		nv := *v
		nv.Reads = append([]QName(nil), v.Reads...)
		out.Views[q] = &nv
	}
	for q, ix := range c.Indexes {
		ni := *ix
		ni.Columns = append([]string(nil), ix.Columns...)
		out.Indexes[q] = &ni
	}
	for q, t := range c.Types {
		nt := *t
		nt.Mods = append([]int(nil), t.Mods...)
		nt.Values = append([]string(nil), t.Values...)
		out.Types[q] = &nt
	}
	copyObjects := func(dst, src map[QName]*Object) {
		for q, o := range src {
			no := *o
			dst[q] = &no
		}
	}
	copyObjects(out.Sequences, c.Sequences)
	copyObjects(out.Functions, c.Functions)
	for k, o := range c.Schemas {
		no := *o
		out.Schemas[k] = &no
	}
	for k, o := range c.Triggers {
		no := *o
		out.Triggers[k] = &no
	}
	for k, o := range c.Other {
		no := *o
		out.Other[k] = &no
	}
	out.Gaps = append([]Gap(nil), c.Gaps...)
	out.searchPath = append([]string(nil), c.searchPath...)
	if c.searchPath == nil {
		out.searchPath = nil
	}
	return out
}
