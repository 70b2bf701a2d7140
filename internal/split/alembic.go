package split

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/ormsql"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// RenderedStatement is one statement an ORM renders for a migration, on
// the line of the call that emits it.
type RenderedStatement struct {
	Line int
	SQL  string
	// Unjudged says why the call has no SQL (it failed offline).
	Unjudged string
}

// alembic cuts an Alembic revision by the SQL Alembic renders for it
// (fr's statements, each on the line of the op.* call that emits it), with
// the same decisions and recipes as Split. With write, the revision is
// rewritten: each op.* call of upgrade() that emits a statement that must
// wait becomes the SQL of what stays (op.execute), under a comment that
// says what split did; the steps that must run outside a transaction (a
// backfill, a concurrent index build) go at the end of upgrade(), in
// op.get_context().autocommit_block(); the contract part is written to the
// deferred directory as an Alembic revision of its own (contractRevision),
// which Alembic does not read there. Without write, the plan only says
// what it would do.
//
// downgrade() is rewritten the same way from the SQL Alembic renders for
// it (Options.AlembicDowngrade): the calls that revert a rewritten
// statement give way to the reverts of its expand part, and those that
// revert a deferred statement go (they revert what has not run).
//
// split refuses a statement whose call it cannot rewrite on its own: one
// not written directly in upgrade() (inside a with block, a loop, a helper
// function), a call that is not op.*, and a revision part of which
// Alembic cannot render offline.
func alembic(fsys fs.FS, m source.Migration, fr checker.FileResult, opts Options, write bool) (*Plan, error) {
	b, err := fs.ReadFile(fsys, m.Path)
	if err != nil {
		return nil, err
	}
	src := string(b)
	stmts, sides, err := renderedSides(m, fr, "Alembic")
	if err != nil {
		return nil, err
	}
	for _, f := range fr.Findings {
		if f.Rule != nil && f.Rule.ID == "unknown-effect" && f.Pos != nil {
			return nil, &Refusal{Path: m.Path, Line: f.Pos.Line, Why: "Alembic cannot render this operation offline, so split cannot tell what the revision runs after it",
				Recipe: "Split the revision by hand: keep what the previous release can live with, and move the rest into a revision added after the next release."}
		}
	}
	rewrites, err := surgery(m, &sqltext.File{Statements: stmts}, sides, source.Script{}, opts)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Source: m.Path}
	plan.Notes = append(plan.Notes, linkGroups(stmts, sides)...)
	deferredPath := path.Join(opts.DeferredDir, strings.TrimSuffix(path.Base(m.Path), path.Ext(m.Path))+"_contract.py")

	body := deferredBody(stmts, sides, rewrites, fr, plan, !write)
	if !write {
		plan.Notes = append(plan.Notes, fmt.Sprintf("--emit-sql rewrites %s (what stays, as op.execute) and writes what waits to %s", path.Base(m.Path), deferredPath))
		return plan, nil
	}
	if _, err := fs.Stat(fsys, deferredPath); err == nil {
		return nil, fmt.Errorf("%s already exists: remove it first, or edit it by hand", deferredPath)
	}

	// Both functions are cut on the revision as written, whose lines the
	// renderings name.
	if opts.ReadPython == nil {
		return nil, fmt.Errorf("%s: split needs Python to read the revision", m.Path)
	}
	mod, err := opts.ReadPython(m.Path, b)
	if err != nil {
		return nil, err
	}
	edits, err := rewriteUpgrade(src, mod, m, stmts, sides, rewrites, deferredPath)
	if err != nil {
		return nil, err
	}
	downEdits, note, reverts := rewriteDowngrade(src, mod, m, stmts, sides, rewrites, deferredPath, opts)
	if note != "" {
		plan.Notes = append(plan.Notes, note)
	}
	newSrc := applyEdits(src, append(edits, downEdits...))
	laterBody := setLocal().ReplaceAllString(body.render(source.TxNone), "${1}SET ")
	h := deferred.Header{After: opts.After, From: m.Path, PR: opts.PR}
	rev, err := contractRevision(fsys, m, opts, h, laterBody, reverts)
	if err != nil {
		return nil, err
	}
	plan.Changes = append(plan.Changes,
		FileChange{Path: m.Path, Old: src, New: newSrc},
		FileChange{Path: deferredPath, New: rev})
	plan.Notes = append(plan.Notes, fmt.Sprintf("%s waits as an Alembic revision outside versions/, which Alembic does not read: once the next release runs everywhere, phasegate followup moves it into %s, after the head of the base branch then", deferredPath, opts.Dir))
	return plan, nil
}

// contractRevision writes the contract part (sql, as split renders it for
// a deferred SQL file) as an Alembic revision for the deferred directory,
// the deferral header on top as Python comments: it follows the heads of
// the versions directory as they are now (m's revision, usually), so that
// phasegate renders it after them, and runs each statement in Alembic's
// autocommit block, committing on its own as the statements of a deferred
// SQL file do. Its downgrade() runs down, the reverts of what it runs that
// split took out of m's downgrade(), and refuses without them. The
// follow-up sets its down_revision to the head of the base branch when it
// moves it into the versions directory.
func contractRevision(fsys fs.FS, m source.Migration, opts Options, h deferred.Header, sql string, down []string) (string, error) {
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{})
	if err != nil {
		return "", fmt.Errorf("%s: the contract part split wrote cannot be read again (%v): split it by hand", m.Path, err)
	}
	stmts := make([]string, len(f.Statements))
	for i, s := range f.Statements {
		stmts[i] = strings.TrimSpace(s.Text)
	}
	name := strings.TrimLeft(strings.TrimSuffix(path.Base(m.Path), path.Ext(m.Path)), "0123456789_")
	if name == "" {
		name = m.Version
	}
	for i, d := range down {
		down[i] = strings.TrimSuffix(strings.TrimSpace(d), ";")
	}
	_, src, err := source.Alembic{}.RevisionWithDowngrade(fsys, opts.Dir, name+" contract", h.Comment("#"), stmts, down)
	if err != nil {
		return "", fmt.Errorf("%s: write the contract revision: %w", m.Path, err)
	}
	return string(src), nil
}

// parseOne parses the SQL of one rendered statement.
func parseOne(sql string) (*sqltext.Statement, error) {
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{})
	if err != nil {
		return nil, err
	}
	if len(f.Statements) != 1 {
		return nil, fmt.Errorf("%d statements in %q", len(f.Statements), oneLine(sql))
	}
	return f.Statements[0], nil
}

// rewriteUpgrade rewrites upgrade() of an Alembic revision: each op.* call
// that emits a statement that waits or is rewritten is replaced by
// op.execute of what stays, in order; the online steps of the rewrites go
// at its end, outside Alembic's transaction.
func rewriteUpgrade(src string, mod *ormsql.PyModule, m source.Migration, stmts []*sqltext.Statement, sides []side, rewrites map[int]*rewrite, deferredPath string) ([]textEdit, error) {
	up, err := pyFunction(mod, src, "upgrade")
	if err != nil {
		return nil, fmt.Errorf("%s: %v: split it by hand", m.Path, err)
	}
	at := make([]int, len(stmts))
	for i, s := range stmts {
		at[i] = s.Pos.Line
	}
	lineOf := up.calls(at)
	touched := map[int]bool{}
	for i, s := range stmts {
		if sides[i] != later && sides[i] != rewritten {
			continue
		}
		what := oneLine(s.Text)
		if rw := rewrites[i]; rw != nil {
			what = rw.what
		}
		if why := up.problem(lineOf, i); why != "" {
			return nil, &Refusal{Path: m.Path, Line: s.Pos.Line, Why: what + why, Recipe: "Write it as an op.* call of its own directly in upgrade() (op.execute with its SQL if need be), then run phasegate split again."}
		}
		touched[lineOf[i]] = true
	}
	var steps []onlineStep
	for _, i := range inOrder(rewrites) {
		steps = append(steps, rewrites[i].online...)
	}
	ind := up.indent
	var tail strings.Builder
	if len(steps) > 0 {
		fmt.Fprintf(&tail, "%s# phasegate split: %s, outside a transaction: they commit what ran\n%s# before them, and must run before the deploy.\n", ind, stepNames(steps), ind)
		fmt.Fprintf(&tail, "%swith op.get_context().autocommit_block():\n", ind)
		for _, s := range steps {
			tail.WriteString(opExecute(ind+ind, s.sql))
		}
	}
	return up.replace(src, touched, func(b *strings.Builder, j int) int {
		n := 0
		for i, s := range stmts {
			if lineOf[i] != j {
				continue
			}
			switch sides[i] {
			case now, both:
				b.WriteString(opExecute(ind, s.Text))
				n++
			case later:
				fmt.Fprintf(b, "%s# %s waits for the next release in %s.\n", ind, oneLine(s.Text), deferredPath)
			case rewritten:
				rw := rewrites[i]
				if len(rw.expand) == 0 && !rw.keepOriginal {
					fmt.Fprintf(b, "%s# %s waits for the next release in %s,\n%s# as steps that hold no lock through a scan.\n", ind, rw.what, deferredPath, ind)
				} else {
					fmt.Fprintf(b, "%s# %s, cut into expand and contract steps.\n", ind, rw.what)
					if len(rw.contract) > 0 || rw.moveOriginal {
						fmt.Fprintf(b, "%s# Its contract part waits in %s.\n", ind, deferredPath)
					}
				}
				if len(rw.online) > 0 {
					fmt.Fprintf(b, "%s# Then, at the end of upgrade(), outside a transaction: %s.\n", ind, stepNames(rw.online))
				}
				if rw.keepOriginal {
					b.WriteString(opExecute(ind, s.Text))
					n++
				}
				for _, e := range rw.expand {
					b.WriteString(opExecute(ind, e))
					n++
				}
			}
		}
		return n
	}, tail.String()), nil
}

// rewriteDowngrade rewrites downgrade() to revert what upgrade() now does:
// a call that reverts a rewritten statement becomes the revert of its
// expand part; one that reverts a deferred statement goes. moved reverts
// what waits, for the deferred revision's downgrade(): the SQL of the calls
// that went, and the reverts of the rewrites' contract parts, as splitDown
// sorts a SQL migration's down part. When that cannot be done (no
// rendering of downgrade(), a call split cannot cut), downgrade() stays as
// it is, the note says what to change by hand, and moved is nil.
func rewriteDowngrade(src string, mod *ormsql.PyModule, m source.Migration, stmts []*sqltext.Statement, sides []side, rewrites map[int]*rewrite, deferredPath string, opts Options) (edits []textEdit, note string, moved []string) {
	handNote := func(why string) string {
		var reverts []string
		idx := inOrder(rewrites)
		sort.Sort(sort.Reverse(sort.IntSlice(idx)))
		for _, i := range idx {
			for _, d := range rewrites[i].expandDown {
				if !strings.HasPrefix(d, "--") {
					reverts = append(reverts, oneLine(d)+";")
				}
			}
		}
		note := fmt.Sprintf("downgrade() of %s is left as it was (%s): it reverts the operations as written, not what upgrade() now does; ", path.Base(m.Path), why)
		if len(reverts) > 0 {
			note += "in place of the reverts of the rewritten operations it must run " + strings.Join(reverts, " ") + " "
		}
		return note + "and nothing that reverts what waits in " + deferredPath
	}
	if opts.AlembicDowngrade == nil {
		return nil, "", nil
	}
	rendered, err := opts.AlembicDowngrade(m)
	if err != nil {
		return nil, handNote(fmt.Sprintf("Alembic could not render it: %v", err)), nil
	}
	down, err := pyFunction(mod, src, "downgrade")
	if err != nil {
		return nil, handNote(err.Error()), nil
	}
	var downStmts []*sqltext.Statement
	at := []int{}
	for _, r := range rendered {
		if r.Unjudged != "" {
			return nil, handNote(fmt.Sprintf("line %d cannot be rendered offline", r.Line)), nil
		}
		st, err := parseOne(r.SQL)
		if err != nil {
			return nil, handNote(fmt.Sprintf("line %d: %v", r.Line, err)), nil
		}
		downStmts = append(downStmts, st)
		at = append(at, r.Line)
	}
	file := &sqltext.File{Statements: stmts}
	var targets []rewriteTarget
	var order []*rewrite
	for _, t := range rewriteTargets(file.Statements, sides, rewrites) {
		targets = append(targets, t)
		order = append(order, t.rw)
	}
	dsides, by := downSides(downStmts, targetsOf(stmts, sides), targets)
	lineOf := down.calls(at)
	touched := map[int]bool{}
	for i := range downStmts {
		if dsides[i] == now {
			continue
		}
		if why := down.problem(lineOf, i); why != "" {
			return nil, handNote(fmt.Sprintf("line %d: %s%s", at[i], oneLine(downStmts[i].Text), why)), nil
		}
		touched[lineOf[i]] = true
	}
	done := map[int]bool{}
	for i, s := range downStmts {
		switch dsides[i] {
		case later:
			moved = append(moved, s.Text)
		case rewritten:
			rw := order[by[i]-1]
			if rw.moveOriginal {
				moved = append(moved, s.Text)
			}
			if !done[by[i]] {
				done[by[i]] = true
				for _, d := range rw.contractDown {
					if !strings.HasPrefix(d, "--") {
						moved = append(moved, d)
					}
				}
			}
		}
	}
	ind := down.indent
	done = map[int]bool{}
	return down.replace(src, touched, func(b *strings.Builder, j int) int {
		n := 0
		for i, s := range downStmts {
			if lineOf[i] != j {
				continue
			}
			switch dsides[i] {
			case now:
				b.WriteString(opExecute(ind, s.Text))
				n++
			case later:
				fmt.Fprintf(b, "%s# %s reverts what waits in %s: it has not run.\n", ind, oneLine(s.Text), deferredPath)
			case rewritten:
				rw := order[by[i]-1]
				if rw.moveOriginal {
					fmt.Fprintf(b, "%s# %s reverts what waits in %s: it has not run.\n", ind, oneLine(s.Text), deferredPath)
				}
				if done[by[i]] {
					continue
				}
				done[by[i]] = true
				fmt.Fprintf(b, "%s# The revert of what upgrade() runs now for %s:\n", ind, rw.what)
				for _, d := range rw.expandDown {
					b.WriteString(opExecute(ind, d))
					if !strings.HasPrefix(d, "--") {
						n++
					}
				}
			}
		}
		return n
	}, ""), "", moved
}

// calls finds, for each statement's line (at), the statement of the
// function's body that holds it; -1 when none does.
func (f *pyFunc) calls(at []int) []int {
	out := make([]int, len(at))
	for i, line := range at {
		out[i] = -1
		for j, s := range f.body {
			if s.first <= line && line <= s.last {
				out[i] = j
			}
		}
	}
	return out
}

// problem says why the call that emits statement i cannot be rewritten on
// its own, "" when it can: the call is an op.* operation written directly
// in the function's body, on lines of its own, and its statements come
// one after the other.
func (f *pyFunc) problem(lineOf []int, i int) string {
	j := lineOf[i]
	switch {
	case j < 0:
		return " is not emitted by a statement of the function (a helper function, or Alembic itself)"
	case f.body[j].block:
		return " is emitted inside a block (with, if, for), which split cannot cut on its own"
	case !f.body[j].opCall:
		return " is emitted by a call that is not an op.* operation, which may do more than its SQL"
	case f.body[j].shared:
		return " is emitted by a call that shares its line with another statement: put it on lines of its own"
	}
	for k := range lineOf {
		if lineOf[k] == j && k != i && (k < i && lineOf[k+1] != j || k > i && lineOf[k-1] != j) {
			return " is emitted by a call whose statements do not come one after the other"
		}
	}
	return ""
}

// textEdit replaces src[start:end] with text.
type textEdit struct {
	start, end int
	text       string
}

// applyEdits applies edits that do not overlap to src.
func applyEdits(src string, edits []textEdit) string {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b strings.Builder
	pos := 0
	for _, e := range edits {
		b.WriteString(src[pos:e.start])
		b.WriteString(e.text)
		pos = e.end
	}
	b.WriteString(src[pos:])
	return b.String()
}

// replace rewrites the function's body: each touched logical line is
// commented out, and write adds what replaces it (returning how many
// statements it wrote); tail goes after the body's last line. A body left
// without a statement gets "pass".
func (f *pyFunc) replace(src string, touched map[int]bool, write func(b *strings.Builder, j int) int, tail string) []textEdit {
	var edits []textEdit
	statements := 0
	if tail != "" {
		statements++
	}
	for j, l := range f.body {
		if !touched[j] {
			statements++
			continue
		}
		var b strings.Builder
		for k, text := range strings.Split(strings.TrimRight(src[l.start:l.end], "\r\n"), "\n") {
			if k == 0 {
				fmt.Fprintf(&b, "%s# phasegate split rewrote: %s\n", f.indent, strings.TrimPrefix(text, f.indent))
			} else {
				fmt.Fprintf(&b, "%s#   %s\n", f.indent, strings.TrimPrefix(text, f.indent))
			}
		}
		statements += write(&b, j)
		edits = append(edits, textEdit{start: l.start, end: l.end, text: b.String()})
	}
	end := f.body[len(f.body)-1].end
	if !strings.HasSuffix(src[:end], "\n") {
		tail = "\n" + tail
	}
	if statements == 0 {
		tail += f.indent + "pass\n"
	}
	if tail != "" {
		edits = append(edits, textEdit{start: end, end: end, text: tail})
	}
	return edits
}

// opExecute writes one statement as op.execute at indentation ind, or a
// note of a recipe ("-- ...") as a comment.
func opExecute(ind, sql string) string {
	sql = strings.TrimSuffix(strings.TrimSpace(sql), ";")
	if strings.HasPrefix(sql, "--") && !strings.Contains(sql, "\n") {
		return ind + "#" + strings.TrimPrefix(sql, "--") + "\n"
	}
	return ind + "op.execute(" + pyString(source.EscapeBinds(sql)) + ")\n"
}
