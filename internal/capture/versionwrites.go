package capture

import (
	"strconv"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// What a statement writes into a version table: the row an INSERT adds,
// an UPDATE sets or a DELETE removes, read from its constants and bound
// parameters, and the version that row records.

// constOf returns the value of a constant or a bound parameter, through
// type casts; ok is false for anything else (a function call, a column).
func constOf(n *pg.Node, params []Param) (v string, null, ok bool) {
	if n == nil {
		return "", false, false
	}
	switch x := n.Node.(type) {
	case *pg.Node_AConst:
		c := x.AConst
		if c.Isnull {
			return "", true, true
		}
		switch v := c.Val.(type) {
		case *pg.A_Const_Sval:
			return v.Sval.Sval, false, true
		case *pg.A_Const_Ival:
			return strconv.Itoa(int(v.Ival.Ival)), false, true
		case *pg.A_Const_Fval:
			return v.Fval.Fval, false, true
		case *pg.A_Const_Boolval:
			if v.Boolval.Boolval {
				return "t", false, true
			}
			return "f", false, true
		case *pg.A_Const_Bsval:
			return v.Bsval.Bsval, false, true
		}
	case *pg.Node_ParamRef:
		i := int(x.ParamRef.Number) - 1
		if i >= 0 && i < len(params) {
			return params[i].Value, params[i].Null, true
		}
	case *pg.Node_TypeCast:
		return constOf(x.TypeCast.Arg, params)
	}
	return "", false, false
}

// row maps the columns a write sets (or its WHERE compares) to their
// values (constants or bound parameters, not NULL).
type row struct {
	values  map[string]string
	ordered []string // the same values in the order of the statement
	named   bool     // the values have column names (not an INSERT without a column list)
}

func (r *row) add(col, v string) {
	if col != "" {
		r.values[col] = v
	}
	r.ordered = append(r.ordered, v)
}

func insertWrite(t *VersionTable, ins *pg.InsertStmt, params []Param) *write {
	w := &write{table: t}
	var cols []string
	for _, c := range ins.Cols {
		if rt, ok := c.Node.(*pg.Node_ResTarget); ok {
			cols = append(cols, rt.ResTarget.Name)
		}
	}
	sel, ok := ins.SelectStmt.GetNode().(*pg.Node_SelectStmt)
	if !ok {
		return w
	}
	for _, vl := range sel.SelectStmt.ValuesLists {
		l, ok := vl.Node.(*pg.Node_List)
		if !ok {
			continue
		}
		r := row{values: map[string]string{}, named: len(cols) > 0}
		for i, item := range l.List.Items {
			v, null, ok := constOf(item, params)
			if !ok || null {
				continue
			}
			if i < len(cols) {
				r.add(cols[i], v)
			} else if len(cols) == 0 {
				r.add("", v)
			}
		}
		if v, found := version(t, &r); found {
			w.versions = append(w.versions, v)
			if t.OpensOnInsert || t.OpenColumn != "" && truthy(r.values[t.OpenColumn]) {
				w.opens = true
			}
		}
	}
	return w
}

func updateWrite(t *VersionTable, up *pg.UpdateStmt, params []Param) *write {
	w := &write{table: t}
	r := row{values: map[string]string{}, named: true}
	for _, n := range up.TargetList {
		rt, ok := n.Node.(*pg.Node_ResTarget)
		if !ok {
			continue
		}
		if v, null, ok := constOf(rt.ResTarget.Val, params); ok && !null {
			r.add(rt.ResTarget.Name, v)
		}
	}
	if v, found := version(t, &r); found {
		w.versions = []string{v}
		w.opens = t.OpenColumn != "" && truthy(r.values[t.OpenColumn])
	}
	return w
}

func deleteWrite(t *VersionTable, del *pg.DeleteStmt, params []Param) *write {
	w := &write{table: t, down: true}
	r := &row{values: map[string]string{}, named: true}
	equalities(del.WhereClause, params, r)
	if v, found := version(t, r); found {
		w.versions = []string{v}
	}
	return w
}

// equalities collects column = constant comparisons of a WHERE clause,
// through AND.
func equalities(n *pg.Node, params []Param, r *row) {
	if n == nil {
		return
	}
	switch x := n.Node.(type) {
	case *pg.Node_BoolExpr:
		if x.BoolExpr.Boolop == pg.BoolExprType_AND_EXPR {
			for _, a := range x.BoolExpr.Args {
				equalities(a, params, r)
			}
		}
	case *pg.Node_AExpr:
		e := x.AExpr
		if e.Kind != pg.A_Expr_Kind_AEXPR_OP || len(e.Name) != 1 {
			return
		}
		if s, ok := e.Name[0].Node.(*pg.Node_String_); !ok || s.String_.Sval != "=" {
			return
		}
		col, val := e.Lexpr, e.Rexpr
		if columnName(col) == "" {
			col, val = val, col
		}
		name := columnName(col)
		if name == "" {
			return
		}
		if v, null, ok := constOf(val, params); ok && !null {
			r.add(name, v)
		}
	}
}

func columnName(n *pg.Node) string {
	if n == nil {
		return ""
	}
	cr, ok := n.Node.(*pg.Node_ColumnRef)
	if !ok || len(cr.ColumnRef.Fields) == 0 {
		return ""
	}
	s, ok := cr.ColumnRef.Fields[len(cr.ColumnRef.Fields)-1].Node.(*pg.Node_String_)
	if !ok {
		return ""
	}
	return s.String_.Sval
}

var guessColumns = []string{"version", "version_num", "version_id", "migration_id", "name", "migration_name", "migration", "filename", "script", "id"}

// version finds the version in what a write sets: the Columns (or the
// usual version columns when the table's are not given).
func version(t *VersionTable, r *row) (string, bool) {
	cols := t.Columns
	if len(cols) == 0 {
		cols = guessColumns
	}
	sep := t.Sep
	if sep == "" {
		sep = "."
	}
	for _, c := range cols {
		parts := strings.Split(c, "+")
		vals := make([]string, 0, len(parts))
		for _, p := range parts {
			v, ok := r.values[p]
			if !ok {
				v, ok = r.values[strings.ToLower(p)] // a user's MigrationId for an unquoted column
			}
			if !ok {
				break
			}
			vals = append(vals, v)
		}
		if len(vals) == len(parts) {
			return strings.Join(vals, sep), true
		}
	}
	if len(r.ordered) > 0 && (len(t.Columns) == 0 || !r.named) {
		// A table whose columns are not known, or an INSERT without a
		// column list: the version column comes first in most version
		// tables.
		return r.ordered[0], true
	}
	return "", false
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "t", "true", "y", "yes", "on", "1":
		return true
	}
	return false
}
