package schema

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// canonical maps PostgreSQL's type name aliases to one name.
var canonical = map[string]string{
	"int": "int4", "integer": "int4", "int4": "int4",
	"bigint": "int8", "int8": "int8",
	"smallint": "int2", "int2": "int2",
	"serial": "serial4", "serial4": "serial4",
	"bigserial": "serial8", "serial8": "serial8",
	"smallserial": "serial2", "serial2": "serial2",
	"decimal": "numeric", "numeric": "numeric",
	"boolean": "bool", "bool": "bool",
	"real": "float4", "float4": "float4",
	"float": "float8", "float8": "float8", "double precision": "float8",
	"character varying": "varchar", "varchar": "varchar",
	"character": "bpchar", "char": "bpchar", "bpchar": "bpchar",
	"timestamp with time zone": "timestamptz", "timestamptz": "timestamptz",
	"timestamp without time zone": "timestamp", "timestamp": "timestamp",
	"time with time zone": "timetz", "timetz": "timetz",
	"time without time zone": "time", "time": "time",
	"bit varying": "varbit", "varbit": "varbit",
}

// display maps canonical names to the names users write.
var display = map[string]string{
	"int4": "integer", "int8": "bigint", "int2": "smallint",
	"serial4": "serial", "serial8": "bigserial", "serial2": "smallserial",
	"bool": "boolean", "float4": "real", "float8": "double precision",
	"bpchar": "char",
}

func displayName(n string) string {
	if d, ok := display[n]; ok {
		return d
	}
	return n
}

// TypeOf converts a parsed type name to a Type.
func TypeOf(tn *pg.TypeName) Type {
	if tn == nil {
		return Type{}
	}
	names := Names(tn.Names)
	var name string
	switch {
	case len(names) == 2 && names[0] == "pg_catalog":
		name = names[1]
	case len(names) == 2 && names[0] == "public":
		name = names[1]
	default:
		name = strings.Join(names, ".")
	}
	if c, ok := canonical[name]; ok {
		name = c
	}
	t := Type{Name: name, Array: len(tn.ArrayBounds) > 0}
	for _, m := range tn.Typmods {
		if c := m.GetAConst(); c != nil && c.GetIval() != nil {
			t.Mods = append(t.Mods, int(c.GetIval().Ival))
		} else {
			t.Mods = append(t.Mods, -1) // not a constant: unknown modifier
		}
	}
	// float(p): precision 1-24 is real, 25-53 double precision.
	if name == "float8" && len(t.Mods) == 1 && len(names) == 2 && t.Mods[0] >= 1 && t.Mods[0] <= 24 {
		t.Name, t.Mods = "float4", nil
	}
	if name == "float8" || name == "float4" {
		t.Mods = nil
	}
	return t
}

// IsSerial reports whether the type is one of the serial pseudo-types.
func (t Type) IsSerial() bool {
	return t.Name == "serial4" || t.Name == "serial8" || t.Name == "serial2"
}

// Storage returns the type a serial pseudo-type stores (int4 for serial),
// and the type itself otherwise.
func (t Type) Storage() Type {
	switch t.Name {
	case "serial4":
		t.Name = "int4"
	case "serial8":
		t.Name = "int8"
	case "serial2":
		t.Name = "int2"
	}
	return t
}

// Equal reports whether two types are the same, modifiers included.
func (t Type) Equal(u Type) bool {
	if t.Name != u.Name || t.Array != u.Array || len(t.Mods) != len(u.Mods) {
		return false
	}
	for i := range t.Mods {
		if t.Mods[i] != u.Mods[i] {
			return false
		}
	}
	return true
}

// Names returns the strings of a list of String nodes (a qualified name).
func Names(nodes []*pg.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

func (c *Catalog) alterEnum(s *pg.AlterEnumStmt) {
	t := c.Types[c.resolveNames(Names(s.TypeName), c.hasType)]
	if t == nil {
		return
	}
	switch {
	case s.OldVal != "":
		replace(t.Values, s.OldVal, s.NewVal)
	case s.NewVal != "":
		for _, v := range t.Values {
			if v == s.NewVal {
				return
			}
		}
		t.Values = append(t.Values, s.NewVal)
	}
}
