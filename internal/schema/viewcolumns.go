package schema

import (
	"strconv"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// queryColumns returns the names of the columns a view's query outputs,
// named as PostgreSQL names them (FigureColname), with aliases (CREATE VIEW
// v (a, b) AS ...) first; nil when they cannot be told (a * over a relation
// the catalog does not fully know, a set-returning function in FROM).
func (c *Catalog) queryColumns(aliases []*pg.Node, query *pg.Node) []string {
	cols := c.selectColumns(query.GetSelectStmt(), nil)
	if cols == nil {
		return nil
	}
	for i, a := range Names(aliases) {
		if i < len(cols) {
			cols[i] = a
		}
	}
	return cols
}

// selectColumns names the output columns of a SELECT; ctes holds the
// columns of the WITH queries in scope.
func (c *Catalog) selectColumns(s *pg.SelectStmt, ctes map[string][]string) []string {
	if s == nil {
		return nil
	}
	if s.WithClause != nil {
		inner := map[string][]string{}
		for k, v := range ctes {
			inner[k] = v
		}
		for _, n := range s.WithClause.Ctes {
			cte := n.GetCommonTableExpr()
			if cte == nil {
				continue
			}
			cols := c.selectColumns(cte.Ctequery.GetSelectStmt(), inner)
			for i, a := range Names(cte.Aliascolnames) {
				if i < len(cols) {
					cols[i] = a
				}
			}
			inner[cte.Ctename] = cols
		}
		ctes = inner
	}
	if s.Op != pg.SetOperation_SETOP_NONE {
		return c.selectColumns(s.Larg, ctes) // a set operation is named by its first branch
	}
	if len(s.ValuesLists) > 0 {
		row := s.ValuesLists[0].GetList().GetItems()
		out := make([]string, len(row))
		for i := range row {
			out[i] = "column" + strconv.Itoa(i+1)
		}
		return out
	}
	var out []string
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			return nil
		}
		if rt.Name != "" {
			out = append(out, rt.Name)
			continue
		}
		if ref := rt.Val.GetColumnRef(); ref != nil && isStar(ref) {
			cols := c.starColumns(ref, s.FromClause, ctes)
			if cols == nil {
				return nil
			}
			out = append(out, cols...)
			continue
		}
		name, _ := figureColname(rt.Val)
		if name == "" {
			name = "?column?"
		}
		out = append(out, name)
	}
	return out
}

func isStar(ref *pg.ColumnRef) bool {
	return len(ref.Fields) > 0 && ref.Fields[len(ref.Fields)-1].GetAStar() != nil
}

// starColumns expands * (every relation of FROM) or rel.* (one of them).
func (c *Catalog) starColumns(ref *pg.ColumnRef, from []*pg.Node, ctes map[string][]string) []string {
	qual := Names(ref.Fields)
	var rels []fromRel
	for _, f := range from {
		r, ok := c.fromItem(f, ctes)
		if !ok {
			return nil
		}
		rels = append(rels, r...)
	}
	var out []string
	for _, r := range rels {
		switch {
		case len(qual) == 0:
			out = append(out, r.cols...)
		case r.name == qual[len(qual)-1]:
			return r.cols
		}
	}
	if len(qual) > 0 || len(rels) == 0 {
		return nil
	}
	return out
}

// fromRel is a relation of a FROM clause: the name it is referred to by,
// and its columns.
type fromRel struct {
	name string
	cols []string
}

// fromItem returns the relations a FROM item brings, and whether their
// columns are known.
func (c *Catalog) fromItem(n *pg.Node, ctes map[string][]string) ([]fromRel, bool) {
	switch f := n.GetNode().(type) {
	case *pg.Node_RangeVar:
		rv := f.RangeVar
		name := rv.Relname
		if rv.Alias != nil {
			name = rv.Alias.Aliasname
		}
		cols, isCTE := ctes[rv.Relname]
		if !isCTE || rv.Schemaname != "" {
			cols = c.relationColumns(c.Resolve(rv))
		}
		return []fromRel{{name, aliased(cols, rv.Alias)}}, cols != nil
	case *pg.Node_RangeSubselect:
		cols := c.selectColumns(f.RangeSubselect.Subquery.GetSelectStmt(), ctes)
		name := ""
		if f.RangeSubselect.Alias != nil {
			name = f.RangeSubselect.Alias.Aliasname
		}
		return []fromRel{{name, aliased(cols, f.RangeSubselect.Alias)}}, cols != nil
	case *pg.Node_JoinExpr:
		j := f.JoinExpr
		if j.IsNatural || len(j.UsingClause) > 0 {
			return nil, false // merged join columns: not followed
		}
		l, lok := c.fromItem(j.Larg, ctes)
		r, rok := c.fromItem(j.Rarg, ctes)
		if !lok || !rok {
			return nil, false
		}
		rels := append(l, r...)
		if j.Alias != nil {
			var cols []string
			for _, x := range rels {
				cols = append(cols, x.cols...)
			}
			return []fromRel{{j.Alias.Aliasname, aliased(cols, j.Alias)}}, true
		}
		return rels, true
	}
	return nil, false
}

// aliased renames the first columns as an alias's column list says.
func aliased(cols []string, a *pg.Alias) []string {
	if cols == nil || a == nil || len(a.Colnames) == 0 {
		return cols
	}
	out := append([]string(nil), cols...)
	for i, n := range Names(a.Colnames) {
		if i < len(out) {
			out[i] = n
		}
	}
	return out
}

// relationColumns returns the columns of a table or view the catalog knows
// fully, or nil.
func (c *Catalog) relationColumns(q QName) []string {
	if t := c.Tables[q]; t != nil {
		if t.Kind == MaterializedView {
			return append([]string(nil), t.ViewColumns...)
		}
		if t.Incomplete {
			return nil
		}
		out := make([]string, len(t.Columns))
		for i, col := range t.Columns {
			out[i] = col.Name
		}
		return out
	}
	if v := c.Views[q]; v != nil && v.Columns != nil {
		return append([]string(nil), v.Columns...)
	}
	return nil
}

// figureColname is PostgreSQL's FigureColnameInternal for the expressions
// views select: the name and its strength (2 for a column or function
// name, 1 for a fallback such as a type name or "case", 0 for none).
func figureColname(n *pg.Node) (string, int) {
	switch e := n.GetNode().(type) {
	case *pg.Node_ColumnRef:
		if names := Names(e.ColumnRef.Fields); len(names) > 0 && len(names) == len(e.ColumnRef.Fields) {
			return names[len(names)-1], 2
		}
	case *pg.Node_AIndirection:
		for i := len(e.AIndirection.Indirection) - 1; i >= 0; i-- {
			if s := e.AIndirection.Indirection[i].GetString_(); s != nil {
				return s.Sval, 2
			}
		}
		return figureColname(e.AIndirection.Arg)
	case *pg.Node_FuncCall:
		if names := Names(e.FuncCall.Funcname); len(names) > 0 {
			return names[len(names)-1], 2
		}
	case *pg.Node_AExpr:
		if e.AExpr.Kind == pg.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif", 2
		}
	case *pg.Node_TypeCast:
		name, strength := figureColname(e.TypeCast.Arg)
		if strength <= 1 && e.TypeCast.TypeName != nil {
			if names := Names(e.TypeCast.TypeName.Names); len(names) > 0 {
				return names[len(names)-1], 1
			}
		}
		return name, strength
	case *pg.Node_CollateClause:
		return figureColname(e.CollateClause.Arg)
	case *pg.Node_SubLink:
		switch e.SubLink.SubLinkType {
		case pg.SubLinkType_EXISTS_SUBLINK:
			return "exists", 2
		case pg.SubLinkType_ARRAY_SUBLINK:
			return "array", 2
		case pg.SubLinkType_EXPR_SUBLINK, pg.SubLinkType_MULTIEXPR_SUBLINK:
			// The subquery's column, as the subquery names it (PostgreSQL
			// reads it off the transformed subquery).
			if sel := e.SubLink.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) > 0 {
				if rt := sel.TargetList[0].GetResTarget(); rt != nil {
					if rt.Name != "" {
						return rt.Name, 2
					}
					if name, strength := figureColname(rt.Val); strength > 0 {
						return name, 2
					}
					return "?column?", 2
				}
			}
		}
	case *pg.Node_CaseExpr:
		name, strength := figureColname(e.CaseExpr.Defresult)
		if strength <= 1 {
			return "case", 1
		}
		return name, strength
	case *pg.Node_AArrayExpr:
		return "array", 1
	case *pg.Node_RowExpr:
		return "row", 1
	case *pg.Node_CoalesceExpr:
		return "coalesce", 2
	case *pg.Node_MinMaxExpr:
		if e.MinMaxExpr.Op == pg.MinMaxOp_IS_GREATEST {
			return "greatest", 2
		}
		return "least", 2
	case *pg.Node_SqlvalueFunction:
		return sqlValueName(e.SqlvalueFunction.Op), 2
	case *pg.Node_GroupingFunc:
		return "grouping", 2
	}
	return "", 0
}

func sqlValueName(op pg.SQLValueFunctionOp) string {
	switch op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		return "current_date"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:
		return "current_time"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return "current_timestamp"
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIME, pg.SQLValueFunctionOp_SVFOP_LOCALTIME_N:
		return "localtime"
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		return "localtimestamp"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		return "current_role"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER:
		return "current_user"
	case pg.SQLValueFunctionOp_SVFOP_USER:
		return "user"
	case pg.SQLValueFunctionOp_SVFOP_SESSION_USER:
		return "session_user"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return "current_catalog"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		return "current_schema"
	}
	return "?column?"
}
