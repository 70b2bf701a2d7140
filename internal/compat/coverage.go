package compat

import (
	"fmt"
	"sort"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/capture"
)

// A compat scenario that passes proves something only if the previous
// release's tests used what the change removes, and used it on the schema
// the migrations built. The scenario's test command runs through the
// capture proxy, which records every statement the tests execute; this
// file tells, for each change of the catalog diff, which of them read or
// wrote it, and whether the tests built their own tables instead (a
// vacuous proof).

// Coverage is how the previous release's tests used one changed object.
type Coverage struct {
	// Statements counts the statements the tests executed that read or
	// wrote it (each execution counts); Distinct the different texts
	// among them; Reads and Writes split Statements (a statement may do
	// both).
	Statements int `json:"statements"`
	Distinct   int `json:"distinct"`
	Reads      int `json:"reads"`
	Writes     int `json:"writes"`
	// Unresolved counts executed statements whose names phasegate could
	// not all resolve and whose text mentions the object's name: they may
	// use it.
	Unresolved int `json:"unresolved,omitempty"`
	// Example is one statement that used it, on one line.
	Example string `json:"example,omitempty"`
}

// Proven reports whether some statement of the tests used the object.
func (c *Coverage) Proven() bool { return c != nil && c.Statements > 0 }

// Proof is what the recording of the compat scenario says about its
// verdict.
type Proof struct {
	// Recorded counts the statements the previous release's tests
	// executed.
	Recorded int `json:"recorded"`
	// Unresolved counts those phasegate could not resolve every name of;
	// UnresolvedExamples are the most frequent, with why.
	Unresolved         int          `json:"unresolved"`
	UnresolvedExamples []Unresolved `json:"unresolved_examples,omitempty"`
	// Vacuous, when set, says why the proof does not cover the migrations:
	// the tests built or rebuilt the tables they used (DDL lists what they
	// ran), so they ran against their own schema; and how to fix that.
	Vacuous string   `json:"vacuous,omitempty"`
	DDL     []string `json:"ddl,omitempty"`
	// Error says why nothing was recorded; Problems are the proxy's (a
	// client that required SSL...).
	Error    string   `json:"error,omitempty"`
	Problems []string `json:"problems,omitempty"`
}

// Unresolved is a statement text phasegate could not resolve.
type Unresolved struct {
	SQL   string `json:"sql"`
	Why   string `json:"why"`
	Count int    `json:"count"`
}

// VacuousFix is what to do about a vacuous proof.
const VacuousFix = "run the previous release's tests against the database phasegate prepared (DATABASE_URL) as it is: " +
	"with Django's test runner, manage.py test --keepdb (pytest-django: --reuse-db), phasegate prepares the test database; " +
	"with SQLAlchemy, do not call metadata.create_all() or drop_all() in the tests; a test runner that migrates or recreates its own database must be told not to"

// analysed is one distinct statement text, resolved.
type analysed struct {
	u     *usage
	count int
	first string
}

// prove computes the coverage of each change by the recorded statements,
// and the proof's verdict. prev and next are the catalogs before and
// after the new migrations.
func prove(stmts []capture.Statement, prev, next *Snapshot, changes []Change) *Proof {
	proof := &Proof{}
	stmts = capture.Split(stmts)
	prevCat, nextCat := newRelCatalog(prev), newRelCatalog(next)
	cat := newRelCatalog(prev, next)

	// The statement texts, parsed once; the tables the tests created
	// themselves (temporary ones, fixtures') are theirs, not unknown.
	type text struct {
		tree *pg.ParseResult
		err  error
	}
	texts := map[string]*text{}
	temp := map[string]bool{}
	var ddl []string
	for _, s := range stmts {
		if texts[s.SQL] == nil {
			t, err := pg.Parse(s.SQL)
			texts[s.SQL] = &text{tree: t, err: err}
		}
		t := texts[s.SQL]
		if t.err != nil || s.Failed || s.Skipped {
			continue
		}
		for _, raw := range t.tree.Stmts {
			if d := ddlOf(raw.Stmt, prevCat, nextCat, temp); d != "" && !contains(ddl, d) {
				ddl = append(ddl, d)
			}
		}
	}
	if len(ddl) > 0 {
		proof.DDL = ddl
		proof.Vacuous = fmt.Sprintf("the previous release's tests ran %s: they built or changed the tables they used instead of testing the migrated schema, so passing proves nothing about the migrations", oneLineList(ddl, 3))
	}

	byText := map[string]*analysed{}
	var order []string
	for _, s := range stmts {
		if s.Skipped {
			continue // the server discarded it without running it
		}
		// A statement the server refused counts: the tests used what it
		// names (that it failed is the compat scenario's verdict).
		proof.Recorded++
		a := byText[s.SQL]
		if a == nil {
			t := texts[s.SQL]
			u := newUsage()
			if t.err != nil {
				u.unresolved = "PostgreSQL's parser does not read it: " + firstLine(t.err)
			} else {
				r := &resolver{cat: cat, u: u, temp: temp}
				for _, raw := range t.tree.Stmts {
					r.stmt(raw.Stmt, nil)
				}
			}
			a = &analysed{u: u, first: s.SQL}
			byText[s.SQL] = a
			order = append(order, s.SQL)
		}
		a.count++
		if a.u.unresolved != "" {
			proof.Unresolved++
		}
	}
	var unresolved []Unresolved
	for _, sql := range order {
		if a := byText[sql]; a.u.unresolved != "" {
			unresolved = append(unresolved, Unresolved{SQL: oneLine(sql, 200), Why: a.u.unresolved, Count: a.count})
		}
	}
	sort.SliceStable(unresolved, func(i, j int) bool { return unresolved[i].Count > unresolved[j].Count })
	if len(unresolved) > 5 {
		unresolved = unresolved[:5]
	}
	proof.UnresolvedExamples = unresolved

	for i := range changes {
		changes[i].Coverage = coverageOf(changes[i], prev, byText, order)
	}
	return proof
}

// coverageOf counts the statements that used one change's object.
func coverageOf(c Change, prev *Snapshot, byText map[string]*analysed, order []string) *Coverage {
	cov := &Coverage{}
	use := usedBy(c, prev)
	for _, sql := range order {
		a := byText[sql]
		read, write := use(a.u)
		if !read && !write {
			if a.u.unresolved != "" && mentionsName(sql, c) {
				cov.Unresolved += a.count
			}
			continue
		}
		cov.Statements += a.count
		cov.Distinct++
		if read {
			cov.Reads += a.count
		}
		if write {
			cov.Writes += a.count
		}
		if cov.Example == "" {
			cov.Example = oneLine(sql, 160)
		}
	}
	return cov
}

// usedBy says, for a change, whether a statement's usage reads or writes
// what it changed. A column counts when the statement names it (or reads
// * of its table, or inserts without a column list); a column that loses
// its default when an insert leaves it out (and uses the default); one
// made NOT NULL when a statement writes it or an insert leaves it out; a
// relation when the
// statement reads or writes it; a new constraint or a removed unique index
// when it writes the table; a function when it calls it; an enum label or
// a sequence when a string constant names it.
func usedBy(c Change, prev *Snapshot) func(*usage) (read, write bool) {
	none := func(*usage) (bool, bool) { return false, false }
	if len(c.names) == 0 {
		return none
	}
	name := c.names[0]
	switch c.Kind {
	case "column":
		key := c.Object
		switch {
		case c.Change == "narrowed" && strings.HasPrefix(c.Detail, "default "):
			// Only an insert that leaves the column out uses its default.
			return func(u *usage) (bool, bool) { return false, u.omits[key] }
		case c.Change == "narrowed" && strings.HasPrefix(c.Detail, "now NOT NULL"):
			return func(u *usage) (bool, bool) { return false, u.writes[key] || u.omits[key] }
		}
		return func(u *usage) (bool, bool) { return u.reads[key], u.writes[key] }
	case "table", "view", "materialized view", "foreign table":
		if c.Change == "narrowed" {
			return func(u *usage) (bool, bool) { return false, u.tableWrites[c.Object] }
		}
		return func(u *usage) (bool, bool) { return u.tableReads[c.Object], u.tableWrites[c.Object] }
	case "unique index":
		table := ""
		for _, ix := range prev.Indexes {
			if ix.Name == name {
				table = prev.relName(ix.Rel)
			}
		}
		return func(u *usage) (bool, bool) { return false, table != "" && u.tableWrites[table] }
	case "function":
		return func(u *usage) (bool, bool) { return u.funcs[name], false }
	case "enum label":
		return func(u *usage) (bool, bool) { return u.strings[name], false }
	case "sequence":
		return func(u *usage) (bool, bool) {
			for s := range u.strings {
				if strings.Contains(s, name) {
					return true, true
				}
			}
			return false, false
		}
	}
	return none
}

// mentionsName reports a statement text that holds the change's name as
// a word.
func mentionsName(sql string, c Change) bool {
	return len(c.names) > 0 && containsWord(strings.ToLower(sql), strings.ToLower(c.names[0]))
}

// ddlOf describes a statement that builds, rebuilds or changes a table of
// the previous schema, or creates a database: what a test runner that
// makes its own schema runs. A table the tests create that the schema
// never had (a fixture's, a temporary one) joins temp instead. A CREATE
// TABLE IF NOT EXISTS of a table the migrated schema has changes nothing.
func ddlOf(n *pg.Node, prev, next *relCatalog, temp map[string]bool) string {
	known := func(rv *pg.RangeVar) bool {
		return rv != nil && rv.Relpersistence != "t" && prev.lookup(rv.Schemaname, rv.Relname) != nil
	}
	switch s := n.GetNode().(type) {
	case *pg.Node_CreateStmt:
		rv := s.CreateStmt.Relation
		switch {
		case !known(rv):
			temp[rv.GetRelname()] = true
		case s.CreateStmt.IfNotExists && next.lookup(rv.Schemaname, rv.Relname) != nil:
		default:
			return "CREATE TABLE " + qualified(rv.Schemaname, rv.Relname)
		}
	case *pg.Node_CreateTableAsStmt:
		if into := s.CreateTableAsStmt.Into; into != nil {
			if known(into.Rel) {
				return "CREATE TABLE " + qualified(into.Rel.Schemaname, into.Rel.Relname) + " AS"
			}
			temp[into.Rel.GetRelname()] = true
		}
	case *pg.Node_DropStmt:
		switch s.DropStmt.RemoveType {
		case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW:
			for _, o := range s.DropStmt.Objects {
				parts := names(o.GetList().GetItems())
				if len(parts) == 0 {
					continue
				}
				schema := ""
				if len(parts) > 1 {
					schema = parts[len(parts)-2]
				}
				if prev.lookup(schema, parts[len(parts)-1]) != nil && !temp[parts[len(parts)-1]] {
					return "DROP TABLE " + qualified(schema, parts[len(parts)-1])
				}
			}
		}
	case *pg.Node_AlterTableStmt:
		if rv := s.AlterTableStmt.Relation; known(rv) && !temp[rv.Relname] {
			return "ALTER TABLE " + qualified(rv.Schemaname, rv.Relname)
		}
	case *pg.Node_RenameStmt:
		if rv := s.RenameStmt.Relation; known(rv) && !temp[rv.Relname] {
			return "ALTER TABLE " + qualified(rv.Schemaname, rv.Relname) + " RENAME"
		}
	case *pg.Node_CreatedbStmt:
		return "CREATE DATABASE " + s.CreatedbStmt.Dbname
	}
	return ""
}

// oneLineList joins the first n items, saying how many more there are.
func oneLineList(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// oneLine collapses white space and cuts s to n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}
