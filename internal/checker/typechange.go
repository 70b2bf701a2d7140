package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// typeVerdict is what ALTER COLUMN ... TYPE does to a column.
type typeVerdict struct {
	from, to schema.Type
	known    bool // the old type is known
	rewrite  bool // the table is rewritten (or, when narrowing, scanned) under ACCESS EXCLUSIVE
	narrows  bool // values or behaviour the previous release relies on may no longer fit
	reason   string
}

// typeChange judges ALTER COLUMN col TYPE def on table q against the
// catalog, after PostgreSQL's binary-coercion rules (ATColumnChangeRequiresRewrite).
func (c *Context) typeChange(q schema.QName, col string, def *pg.ColumnDef) typeVerdict {
	to := schema.TypeOf(def.TypeName).Storage()
	v := typeVerdict{to: to, rewrite: true, narrows: true}
	t := c.Catalog.Tables[q]
	var cc *schema.Column
	if t != nil {
		cc = t.Column(col)
	}
	if cc == nil || cc.Type.Name == "" {
		v.reason = c.Unknown(fmt.Sprintf("the current type of %s.%s", q, col))
		return v
	}
	v.from, v.known = cc.Type, true
	using := def.RawDefault != nil // ALTER TYPE ... USING expr is parsed into raw_default
	if using {
		v.reason = "a USING expression converts every row"
		v.narrows = !widens(v.from, to)
		return v
	}
	v.rewrite, v.narrows, v.reason = compareTypes(v.from, to, c.Version)
	return v
}

// compareTypes decides whether changing a column from one type to another
// rewrites the table and whether it narrows what the column accepts.
func compareTypes(from, to schema.Type, version int) (rewrite, narrows bool, reason string) {
	if from.Equal(to) {
		return false, false, "the type does not change"
	}
	if from.Array != to.Array {
		return true, true, "the column changes between array and scalar"
	}
	fn, tn := from.Name, to.Name
	switch {
	case fn == tn && (fn == "varchar" || fn == "varbit"):
		return lengthChange(from, to)
	case fn == tn && fn == "numeric":
		return numericChange(from, to)
	case fn == tn && (fn == "timestamp" || fn == "timestamptz" || fn == "time" || fn == "timetz" || fn == "interval"):
		if len(to.Mods) == 0 || len(from.Mods) == 1 && len(to.Mods) == 1 && to.Mods[0] >= from.Mods[0] {
			return false, false, "raising the fractional-second precision needs no rewrite"
		}
		return true, true, "lowering the precision rounds every value"
	case fn == "varchar" && tn == "text":
		return false, false, "varchar to text is binary coercible"
	case fn == "text" && tn == "varchar":
		if len(to.Mods) == 0 {
			return false, false, "text to varchar without a length is binary coercible"
		}
		return true, true, fmt.Sprintf("every value is checked against the new limit %s", to)
	case fn == "cidr" && tn == "inet":
		return false, false, "cidr to inet is binary coercible"
	case fn == "timestamp" && tn == "timestamptz" && version >= 12:
		return true, true, "timestamp to timestamptz is rewritten unless the migration's session TimeZone is UTC (PostgreSQL 12+), and the previous release reads the values with a different meaning"
	case widens(from, to):
		return true, false, fmt.Sprintf("%s to %s rewrites every row", from, to)
	}
	return true, true, fmt.Sprintf("%s to %s rewrites every row, and the previous release reads and writes the old type", from, to)
}

// lengthChange judges a varchar(n) or varbit(n) length change.
func lengthChange(from, to schema.Type) (bool, bool, string) {
	if len(to.Mods) == 0 {
		return false, false, fmt.Sprintf("dropping the length limit of %s needs no rewrite", from)
	}
	if len(from.Mods) == 0 {
		return true, true, fmt.Sprintf("every value is checked against the new limit %s", to)
	}
	if to.Mods[0] >= from.Mods[0] {
		return false, false, fmt.Sprintf("raising the limit from %s to %s needs no rewrite", from, to)
	}
	return true, true, fmt.Sprintf("lowering the limit from %s to %s checks every row, and values the previous release writes may no longer fit", from, to)
}

// numericChange judges a numeric(p,s) change.
func numericChange(from, to schema.Type) (bool, bool, string) {
	if len(to.Mods) == 0 {
		return false, false, "dropping numeric's precision needs no rewrite"
	}
	if len(from.Mods) == 0 {
		return true, true, fmt.Sprintf("every value is checked against %s", to)
	}
	scale := func(t schema.Type) int {
		if len(t.Mods) > 1 {
			return t.Mods[1]
		}
		return 0
	}
	fp, fs, tp, ts := from.Mods[0], scale(from), to.Mods[0], scale(to)
	if fs == ts && tp >= fp {
		return false, false, fmt.Sprintf("raising the precision from %s to %s at the same scale needs no rewrite", from, to)
	}
	narrows := tp-ts < fp-fs || ts < fs
	return true, narrows, fmt.Sprintf("%s to %s rewrites every row", from, to)
}

// widens reports whether every value of from fits to with the same
// meaning, for type pairs that nonetheless rewrite.
func widens(from, to schema.Type) bool {
	rank := map[string]int{"int2": 1, "int4": 2, "int8": 3}
	if rf, rt := rank[from.Name], rank[to.Name]; rf > 0 && rt > 0 {
		return rt >= rf
	}
	if from.Name == "int2" || from.Name == "int4" {
		if to.Name == "numeric" && len(to.Mods) == 0 || to.Name == "float8" && from.Name == "int2" {
			return true
		}
	}
	switch from.Name + ">" + to.Name {
	case "float4>float8", "json>jsonb", "varchar>text", "bpchar>text", "bpchar>varchar", "text>text", "cidr>inet":
		return true
	}
	return false
}

// volatileFuncs are built-in functions whose value differs per row: a
// default calling one must be computed for every existing row.
var volatileFuncs = map[string]bool{
	"random": true, "gen_random_uuid": true, "uuid_generate_v1": true, "uuid_generate_v1mc": true,
	"uuid_generate_v4": true, "uuidv7": true, "uuidv4": true, "clock_timestamp": true, "timeofday": true,
	"nextval": true, "txid_current": true, "pg_current_xact_id": true, "random_normal": true, "setseed": true,
}

// stableFuncs are built-in functions evaluated once per statement (or
// immutable): a default calling only these is stored once, no rewrite.
var stableFuncs = map[string]bool{
	"now": true, "transaction_timestamp": true, "statement_timestamp": true, "current_timestamp": true,
	"lower": true, "upper": true, "concat": true, "coalesce": true, "to_jsonb": true, "to_json": true,
	"jsonb_build_object": true, "json_build_object": true, "jsonb_build_array": true, "json_build_array": true,
	"array": true, "make_interval": true, "to_timestamp": true, "date_trunc": true, "timezone": true,
	"current_setting": true, "length": true, "md5": true, "btrim": true, "trim": true, "replace": true,
	"abs": true, "round": true, "greatest": true, "least": true, "nullif": true, "format": true,
}

// defaultVolatility says whether a default expression is volatile; known
// is false when it calls a function phasegate does not know.
func defaultVolatility(expr *pg.Node) (volatile bool, known bool, fn string) {
	known = true
	pg.Walk(expr, func(n *pg.Node) {
		fc := n.GetFuncCall()
		if fc == nil || volatile {
			return
		}
		names := schema.Names(fc.Funcname)
		if len(names) == 0 {
			return
		}
		name := names[len(names)-1]
		switch {
		case volatileFuncs[name]:
			volatile, fn = true, name
		case stableFuncs[name]:
		default:
			volatile, known, fn = true, false, name
		}
	})
	return volatile, known, fn
}

// addColumnRewrites reports whether ADD COLUMN def rewrites an existing
// table, and why.
func (c *Context) addColumnRewrites(def *pg.ColumnDef) (bool, string) {
	typ := schema.TypeOf(def.TypeName)
	if typ.IsSerial() {
		return true, fmt.Sprintf("a %s column fills every existing row from a sequence", typ)
	}
	for _, n := range def.Constraints {
		con := n.GetConstraint()
		if con == nil {
			continue
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_IDENTITY:
			return true, "an identity column fills every existing row from a sequence"
		case pg.ConstrType_CONSTR_GENERATED:
			return true, "a stored generated column is computed for every existing row"
		case pg.ConstrType_CONSTR_DEFAULT:
			if isNullConst(con.RawExpr) {
				continue
			}
			if c.Version < 11 {
				return true, "before PostgreSQL 11 any non-null default is written into every existing row"
			}
			if v, known, fn := defaultVolatility(con.RawExpr); v {
				if !known {
					return true, fmt.Sprintf("the default calls %s(), which phasegate cannot prove non-volatile; a volatile default is computed for every existing row", fn)
				}
				return true, fmt.Sprintf("the default calls the volatile function %s(), computed for every existing row", fn)
			}
		}
	}
	if def.RawDefault != nil && !isNullConst(def.RawDefault) {
		if c.Version < 11 {
			return true, "before PostgreSQL 11 any non-null default is written into every existing row"
		}
		if v, _, fn := defaultVolatility(def.RawDefault); v {
			return true, fmt.Sprintf("the default calls %s(), computed for every existing row", fn)
		}
	}
	return false, ""
}

func isNullConst(n *pg.Node) bool {
	if c := n.GetAConst(); c != nil {
		return c.Isnull
	}
	if tc := n.GetTypeCast(); tc != nil {
		return isNullConst(tc.Arg)
	}
	return false
}
