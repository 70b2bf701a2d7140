package schema

import (
	"encoding/json"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"
	pgparser "github.com/pganalyze/pg_query_go/v5/parser"

	"github.com/phasegate/phasegate/pgtree"
)

// DoBody is what a PL/pgSQL DO block runs, as far as its text tells: the
// SQL statements of its body (under IF, LOOP or not: all count), and the
// lines of dynamic SQL (EXECUTE of a computed string) nobody can read.
type DoBody struct {
	Stmts []DoStatement
	// Dynamic holds the body lines of EXECUTE statements whose SQL is
	// computed at run time.
	Dynamic []int
}

// DoStatement is one SQL statement of a DO block's body.
type DoStatement struct {
	Node *pg.Node
	SQL  string
	Line int // line within the body
}

// ParseDo reads a DO block with PostgreSQL's PL/pgSQL parser. It fails for
// other languages and for bodies that do not parse.
func ParseDo(d *pg.DoStmt) (*DoBody, error) {
	var body, lang string
	for _, a := range d.Args {
		de := a.GetDefElem()
		if de == nil {
			continue
		}
		switch de.Defname {
		case "as":
			body = constString(de.Arg)
			if body == "" {
				if s := de.Arg.GetString_(); s != nil {
					body = s.Sval
				}
			}
		case "language":
			if s := de.Arg.GetString_(); s != nil {
				lang = s.Sval
			}
		}
	}
	if lang != "" && !strings.EqualFold(lang, "plpgsql") {
		return nil, fmt.Errorf("a DO block in %s", lang)
	}
	if strings.Contains(body, "$phasegate_do$") {
		return nil, fmt.Errorf("the DO block's body holds phasegate's own quote")
	}
	js, err := pgparser.ParsePlPgSqlToJSON("CREATE FUNCTION pg_temp.phasegate_do() RETURNS void LANGUAGE plpgsql AS $phasegate_do$" + body + "$phasegate_do$")
	if err != nil {
		return nil, fmt.Errorf("its PL/pgSQL does not parse: %v", err)
	}
	var tree any
	if err := json.Unmarshal([]byte(js), &tree); err != nil {
		return nil, err
	}
	out := &DoBody{}
	var walkErr error
	walkJSON(tree, func(kind string, m map[string]any) {
		line := int(num(m["lineno"]))
		switch kind {
		case "PLpgSQL_stmt_execsql":
			out.add(query(m["sqlstmt"]), line, &walkErr)
		case "PLpgSQL_stmt_perform", "PLpgSQL_stmt_call":
			out.add(query(m["expr"]), line, &walkErr)
		case "PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_dynfors":
			if sql, ok := literal(query(m["query"])); ok {
				out.add(sql, line, &walkErr)
			} else {
				out.Dynamic = append(out.Dynamic, line)
			}
		}
	})
	if walkErr != nil {
		return nil, walkErr
	}
	return out, nil
}

func (b *DoBody) add(sql string, line int, errp *error) {
	if sql == "" || *errp != nil {
		return
	}
	tree, err := pgtree.Parse(sql)
	if err != nil {
		*errp = fmt.Errorf("line %d of its body does not parse: %v", line, err)
		return
	}
	for _, s := range tree.Stmts {
		b.Stmts = append(b.Stmts, DoStatement{Node: s.Stmt, SQL: sql, Line: line})
	}
}

// walkJSON calls fn for every object wrapped as {"Kind": {...}}, in
// document order.
func walkJSON(v any, fn func(kind string, m map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			for k, inner := range t {
				if m, ok := inner.(map[string]any); ok && strings.HasPrefix(k, "PLpgSQL_") {
					fn(k, m)
				}
			}
		}
		// Visit children in a stable order: PL/pgSQL bodies are lists, so
		// statement order survives; map keys are sorted.
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			walkJSON(t[k], fn)
		}
	case []any:
		for _, e := range t {
			walkJSON(e, fn)
		}
	}
}

func query(v any) string {
	m, _ := v.(map[string]any)
	e, _ := m["PLpgSQL_expr"].(map[string]any)
	s, _ := e["query"].(string)
	return s
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// literal unquotes an expression that is one string constant ('...' or
// E'...' without escapes, or $$...$$).
func literal(expr string) (string, bool) {
	s := strings.TrimSpace(expr)
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		inner := s[1 : len(s)-1]
		if strings.Count(strings.ReplaceAll(inner, "''", ""), "'") == 0 {
			return strings.ReplaceAll(inner, "''", "'"), true
		}
	}
	return "", false
}
