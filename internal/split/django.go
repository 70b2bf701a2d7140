package split

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/ormsql"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// django cuts a Django migration by the SQL Django writes for it (fr's
// statements, each on the first line of its operation), with the same
// decisions and recipes as Split. Django keeps two things per operation:
// the model state its later migrations and the code build on, and the
// database change. The state must change now (the new release's models no
// longer have the field); the database change that breaks the previous
// release must wait. So each operation that emits a statement that must
// wait becomes
//
//	migrations.SeparateDatabaseAndState(
//	    state_operations=[<the operation as written>],
//	    database_operations=[migrations.RunSQL(<what stays>, reverse_sql=...)],
//	)
//
// (database_operations empty when nothing stays), and the contract part is
// written to the deferred directory as SQL, which the follow-up bot later
// carries back as a migration of the app (source.Django's Reviser).
//
// split refuses what it cannot write this way: an operations list that is
// not written out, a statement whose operation it cannot find, and a
// recipe with steps that must run outside a transaction (a batched
// backfill, a concurrent index build), which would need a migration of
// their own with atomic = False.
func django(fsys fs.FS, m source.Migration, fr checker.FileResult, opts Options, write bool) (*Plan, error) {
	stmts, sides, err := renderedSides(m, fr, "Django")
	if err != nil {
		return nil, err
	}
	rewrites, err := surgery(m, &sqltext.File{Statements: stmts}, sides, source.Script{}, opts)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Source: m.Path}
	plan.Notes = append(plan.Notes, linkGroups(stmts, sides)...)
	deferredPath := path.Join(opts.DeferredDir, strings.TrimSuffix(path.Base(m.Path), path.Ext(m.Path))+"_contract.sql")
	body := deferredBody(stmts, sides, rewrites, fr, plan, !write)
	if !write {
		plan.Notes = append(plan.Notes, fmt.Sprintf("--emit-sql rewrites %s (each operation whose database change waits becomes a SeparateDatabaseAndState: its state changes now, its SQL waits) and writes what waits to %s", path.Base(m.Path), deferredPath))
		return plan, nil
	}
	if _, err := fs.Stat(fsys, deferredPath); err == nil {
		return nil, fmt.Errorf("%s already exists: remove it first, or edit it by hand", deferredPath)
	}
	if opts.ReadPython == nil {
		return nil, fmt.Errorf("%s: split cannot read the migration's operations here: split it by hand", m.Path)
	}
	b, err := fs.ReadFile(fsys, m.Path)
	if err != nil {
		return nil, err
	}
	src := string(b)
	mod, err := opts.ReadPython(m.Path, b)
	if err != nil {
		return nil, err
	}
	ops, err := ormsql.DjangoOperations(mod)
	if err != nil {
		return nil, &Refusal{Path: m.Path, Line: 1, Why: "split cannot rewrite its operations: " + err.Error(),
			Recipe: "Write the operations as a list in the Migration class (operations = [...]), or split it by hand: wrap each operation whose database change must wait in migrations.SeparateDatabaseAndState(state_operations=[...], database_operations=[]) and apply its SQL one release later."}
	}
	edits, err := rewriteOperations(src, m, ops, stmts, sides, rewrites, deferredPath, &plan.Notes)
	if err != nil {
		return nil, err
	}
	h := deferred.Header{After: opts.After, From: m.Path, PR: opts.PR}
	laterBody := setLocal().ReplaceAllString(body.render(source.TxNone), "${1}SET ")
	if !strings.Contains(strings.ToLower(laterBody), "lock_timeout") {
		// Django writes no lock_timeout: without one, the drop would queue
		// behind a long transaction and block every query of the table
		// (the missing-lock-timeout rule).
		laterBody = "SET lock_timeout = '5s';\n" + laterBody
	}
	plan.Changes = append(plan.Changes,
		FileChange{Path: m.Path, Old: src, New: applyEdits(src, edits)},
		FileChange{Path: deferredPath, New: deferred.Separate(h.String()+strings.TrimLeft(laterBody, "\n"), h.String())})
	plan.Notes = append(plan.Notes, fmt.Sprintf("%s waits as SQL: once the next release runs everywhere, phasegate followup opens the pull request that applies it in a migration of the app (or apply it in one yourself, as migrations.RunSQL)", deferredPath))
	return plan, nil
}

// deferredBody is the deferred part of a rendered migration, statement by
// statement; it counts the moved statements and notes the rewrites in
// plan (and, with list, each moved statement).
func deferredBody(stmts []*sqltext.Statement, sides []side, rewrites map[int]*rewrite, fr checker.FileResult, plan *Plan, list bool) groups {
	body := groups{format: source.Plain{}}
	for i, s := range stmts {
		switch sides[i] {
		case later:
			body.add(strings.TrimSpace(s.Text) + ";\n")
			plan.Moved++
			if list {
				plan.Notes = append(plan.Notes, fmt.Sprintf("line %d (%s): %s", s.Pos.Line, fr.Statements[i].Phase, oneLine(s.Text)))
			}
		case both:
			body.addSession(strings.TrimSpace(s.Text)+";\n", s)
		case rewritten:
			rw := rewrites[i]
			plan.Rewritten = append(plan.Rewritten, fmt.Sprintf("line %d: %s", s.Pos.Line, rw.what))
			if rw.moveOriginal {
				body.add(strings.TrimSpace(s.Text) + ";\n")
			}
			body.addGroups(rw.contract)
			for _, n := range rw.notes {
				plan.Notes = append(plan.Notes, fmt.Sprintf("line %d: %s", s.Pos.Line, n))
			}
		}
	}
	return body
}

// rewriteOperations wraps each operation that emits a statement that
// waits or is rewritten in a SeparateDatabaseAndState.
func rewriteOperations(src string, m source.Migration, ops []ormsql.Span, stmts []*sqltext.Statement, sides []side, rewrites map[int]*rewrite, deferredPath string, notes *[]string) ([]textEdit, error) {
	opOf := func(line int) int {
		for k, op := range ops {
			if op.Line == line {
				return k
			}
		}
		return -1
	}
	members := map[int][]int{} // operation → its statements, in order
	touched := map[int]bool{}
	for i, s := range stmts {
		k := opOf(s.Pos.Line)
		if k < 0 {
			if sides[i] == later || sides[i] == rewritten {
				return nil, &Refusal{Path: m.Path, Line: s.Pos.Line, Why: oneLine(s.Text) + ": split cannot find the operation that writes it",
					Recipe: "Wrap that operation in migrations.SeparateDatabaseAndState(state_operations=[...], database_operations=[]) by hand, and apply its SQL one release later."}
			}
			continue
		}
		members[k] = append(members[k], i)
		if sides[i] == later || sides[i] == rewritten {
			touched[k] = true
		}
		if rw := rewrites[i]; rw != nil && len(rw.online) > 0 {
			return nil, &Refusal{Path: m.Path, Line: s.Pos.Line, Why: rw.what + " needs steps that run outside a transaction (" + stepNames(rw.online) + "), which Django runs only in a migration of their own with atomic = False; split does not write that migration yet",
				Recipe: "Add the new column now (AddField, null=True), backfill it in a migration with atomic = False (RunSQL in batches) and build any index there with CREATE INDEX CONCURRENTLY; keep the old one until the next release, then drop it in a migration of its own."}
		}
	}
	var edits []textEdit
	for k, op := range ops {
		if !touched[k] {
			continue
		}
		start, end, err := op.Offsets([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w: split it by hand", m.Path, err)
		}
		ind := strings.Repeat(" ", op.Col)
		var what, stay, reverse, reverseNotes []string
		// reversible: Django can migrate the operation back. It cannot
		// when a statement stays whose revert split does not know.
		reversible, unknownRevert := false, false
		for _, i := range members[k] {
			s := stmts[i]
			switch sides[i] {
			case now, both:
				stay = append(stay, strings.TrimSpace(s.Text))
				unknownRevert = unknownRevert || sides[i] == now
			case later:
				what = append(what, oneLine(s.Text))
			case rewritten:
				rw := rewrites[i]
				what = append(what, rw.what)
				if rw.keepOriginal {
					stay = append(stay, strings.TrimSpace(s.Text))
					unknownRevert = true
				}
				stay = append(stay, rw.expand...)
				for j := len(rw.expandDown) - 1; j >= 0; j-- {
					if d := strings.TrimSpace(rw.expandDown[j]); strings.HasPrefix(d, "--") && !strings.Contains(d, "\n") {
						reverseNotes = append(reverseNotes, "#"+strings.TrimPrefix(d, "--"))
					} else {
						reverse = append(reverse, d)
					}
				}
				reversible = reversible || len(rw.expandDown) > 0
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# phasegate split: %s waits for the next release in\n%s# %s; the model state changes now.\n%s", strings.Join(what, "; "), ind, deferredPath, ind)
		fmt.Fprintf(&b, "migrations.SeparateDatabaseAndState(\n%s    state_operations=[\n%s        %s,\n%s    ],\n", ind, ind, reindent(src[start:end], 8), ind)
		if len(stay) == 0 {
			fmt.Fprintf(&b, "%s    database_operations=[],\n", ind)
		} else {
			fmt.Fprintf(&b, "%s    database_operations=[\n%s        migrations.RunSQL(\n%s            sql=%s,\n", ind, ind, ind, pyStrings(stay, ind+"            "))
			for _, n := range reverseNotes {
				fmt.Fprintf(&b, "%s            %s\n", ind, n)
			}
			switch {
			case unknownRevert:
				// No reverse_sql: Django refuses to migrate back past it,
				// rather than leave the database half reverted.
				*notes = append(*notes, fmt.Sprintf("line %d: the operation keeps SQL whose revert split does not know: write its reverse_sql, or Django refuses to migrate back past it", op.Line))
			case len(reverse) > 0:
				fmt.Fprintf(&b, "%s            reverse_sql=%s,\n", ind, pyStrings(reverse, ind+"            "))
			case reversible:
				fmt.Fprintf(&b, "%s            reverse_sql=migrations.RunSQL.noop,\n", ind)
			}
			fmt.Fprintf(&b, "%s        ),\n%s    ],\n", ind, ind)
		}
		fmt.Fprintf(&b, "%s)", ind)
		edits = append(edits, textEdit{start: start, end: end, text: b.String()})
	}
	return edits, nil
}

// reindent indents every line of code but the first by n more spaces.
func reindent(code string, n int) string {
	return strings.ReplaceAll(code, "\n", "\n"+strings.Repeat(" ", n))
}

// pyStrings writes SQL statements as a Python list of string literals, one
// a line, indented by ind.
func pyStrings(sqls []string, ind string) string {
	var b strings.Builder
	b.WriteString("[\n")
	for _, s := range sqls {
		fmt.Fprintf(&b, "%s    %s,\n", ind, pySQL(strings.TrimSuffix(strings.TrimSpace(s), ";")))
	}
	b.WriteString(ind + "]")
	return b.String()
}

// pySQL is a statement as a Python string literal: single-quoted when it
// is one line that holds double quotes (SQL's quoted identifiers) and no
// single quote, so that it reads as written; pyString's form otherwise.
func pySQL(s string) string {
	if strings.Contains(s, `"`) && !strings.ContainsAny(s, "'\\\n") {
		return "'" + s + "'"
	}
	return pyString(s)
}
