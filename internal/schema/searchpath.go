package schema

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// defaultSchema is where objects go when the search path names no schema
// to create in: PostgreSQL's default path is "$user", public, and phasegate
// does not know the user.
const defaultSchema = "public"

// SearchPath returns the schemas unqualified names are looked up in, in
// order, as the session's search_path leaves them: "$user" (phasegate does
// not know the migration's role), pg_catalog and pg_temp are left out. It is
// never empty: a path without a usable schema falls back to public.
func (c *Catalog) SearchPath() []string {
	var out []string
	for _, s := range c.searchPath {
		if s == "" || s == "$user" || s == "pg_catalog" || strings.HasPrefix(s, "pg_temp") {
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return []string{defaultSchema}
	}
	return out
}

// creationSchema is the schema an unqualified CREATE puts its object in:
// the first schema of the search path.
func (c *Catalog) creationSchema() string { return c.SearchPath()[0] }

// resolve qualifies name: an explicit schema wins; otherwise the first
// schema of the search path in which has finds the object, or, when none
// does, the schema a CREATE would use.
func (c *Catalog) resolve(schemaName, name string, has func(QName) bool) QName {
	if schemaName != "" {
		return QName{Schema: schemaName, Name: name}
	}
	for _, s := range c.SearchPath() {
		if q := (QName{Schema: s, Name: name}); has(q) {
			return q
		}
	}
	return QName{Schema: c.creationSchema(), Name: name}
}

// resolveNames is resolve for a dotted name list ([catalog.]schema.name).
func (c *Catalog) resolveNames(names []string, has func(QName) bool) QName {
	switch len(names) {
	case 0:
		return QName{}
	case 1:
		return c.resolve("", names[0], has)
	default:
		return QName{Schema: names[len(names)-2], Name: names[len(names)-1]}
	}
}

// creationName qualifies the name of an object a CREATE makes: unqualified,
// it goes into the first schema of the search path, whatever exists further
// down the path.
func (c *Catalog) creationName(rv *pg.RangeVar) QName {
	if rv == nil {
		return QName{}
	}
	return c.resolve(rv.Schemaname, rv.Relname, func(QName) bool { return false })
}

func (c *Catalog) creationNames(names []string) QName {
	return c.resolveNames(names, func(QName) bool { return false })
}

// hasRelation reports whether q names a relation (pg_class: a table, view,
// index, sequence or composite type).
func (c *Catalog) hasRelation(q QName) bool {
	if c.Tables[q] != nil || c.Views[q] != nil || c.Indexes[q] != nil || c.Sequences[q] != nil {
		return true
	}
	t := c.Types[q]
	return t != nil && t.Kind == CompositeType
}

func (c *Catalog) hasType(q QName) bool { return c.Types[q] != nil }

func (c *Catalog) hasFunction(q QName) bool { return c.Functions[q] != nil }

// hasAny reports whether any object of the catalog is named q.
func (c *Catalog) hasAny(q QName) bool {
	return c.hasRelation(q) || c.hasType(q) || c.hasFunction(q)
}

// setSearchPathValue applies SET search_path: each argument is one schema
// name, already unquoted by the parser (SET search_path = 'a, b' names one
// schema "a, b", as in PostgreSQL).
func (c *Catalog) setSearchPath(s *pg.VariableSetStmt) {
	switch s.Kind {
	case pg.VariableSetKind_VAR_SET_VALUE:
		var path []string
		for _, a := range s.Args {
			path = append(path, constString(a))
		}
		c.searchPath = path
		if len(path) == 0 {
			c.searchPath = nil
		}
	case pg.VariableSetKind_VAR_SET_DEFAULT, pg.VariableSetKind_VAR_RESET, pg.VariableSetKind_VAR_RESET_ALL:
		c.searchPath = nil
	}
}

// setConfigSearchPath applies SELECT set_config('search_path', 'a, b',
// false) calls of a SELECT's target list. A call whose value is not a
// constant leaves the path unknown, recorded as a gap.
func (c *Catalog) setConfigSearchPath(s *pg.SelectStmt, origin Origin) {
	for _, t := range s.TargetList {
		pg.Walk(t, func(n *pg.Node) {
			fc := n.GetFuncCall()
			if fc == nil || len(fc.Args) != 3 {
				return
			}
			names := Names(fc.Funcname)
			if len(names) == 0 || names[len(names)-1] != "set_config" || (len(names) == 2 && names[0] != "pg_catalog") {
				return
			}
			if !strings.EqualFold(constString(fc.Args[0]), "search_path") {
				return
			}
			local, ok := constBool(fc.Args[2])
			if ok && local {
				return // transaction-local, like SET LOCAL
			}
			v := fc.Args[1].GetAConst()
			if !ok || v == nil || (v.GetSval() == nil && !v.Isnull) {
				c.gap(origin, "set_config('search_path', ...) with a value computed at run time: where later unqualified names resolve is unknown")
				return
			}
			if v.Isnull {
				return // set_config with a null value fails
			}
			c.searchPath = ParseSearchPath(v.GetSval().Sval)
		})
	}
}

// ParseSearchPath splits a search_path value ("$user", public) as
// PostgreSQL's SplitIdentifierString does: comma-separated, blanks around
// names ignored, unquoted names folded to lower case, double-quoted names
// kept as written with "" standing for one quote.
func ParseSearchPath(v string) []string {
	var out []string
	i := 0
	skip := func() {
		for i < len(v) && isBlank(v[i]) {
			i++
		}
	}
	skip()
	if i == len(v) {
		return nil
	}
	for {
		var name strings.Builder
		if i < len(v) && v[i] == '"' {
			i++
			for i < len(v) {
				if v[i] == '"' {
					if i+1 < len(v) && v[i+1] == '"' {
						name.WriteByte('"')
						i += 2
						continue
					}
					break
				}
				name.WriteByte(v[i])
				i++
			}
			if i == len(v) {
				return out // unterminated quote: PostgreSQL rejects the value
			}
			i++
		} else {
			start := i
			for i < len(v) && v[i] != ',' && !isBlank(v[i]) {
				i++
			}
			name.WriteString(strings.ToLower(v[start:i]))
		}
		out = append(out, name.String())
		skip()
		if i >= len(v) || v[i] != ',' {
			return out
		}
		i++
		skip()
	}
}

func isBlank(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}

// constBool reads a boolean constant: true/false, or a string PostgreSQL
// accepts as one.
func constBool(n *pg.Node) (bool, bool) {
	c := n.GetAConst()
	if c == nil {
		return false, false
	}
	if b := c.GetBoolval(); b != nil {
		return b.Boolval, true
	}
	if s := c.GetSval(); s != nil {
		switch strings.ToLower(strings.TrimSpace(s.Sval)) {
		case "t", "true", "y", "yes", "on", "1":
			return true, true
		case "f", "false", "n", "no", "off", "0":
			return false, true
		}
	}
	return false, false
}
