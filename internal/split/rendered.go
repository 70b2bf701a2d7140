package split

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Rendered plans the split of a migration written in an ORM's language
// (an Alembic revision, a Django migration), judged by the SQL the ORM
// renders for it. An Alembic revision is cut like a SQL migration (see
// alembic), a Django migration with SeparateDatabaseAndState (see
// django). For the others, phasegate does not rewrite code: the plan's
// notes name each operation to move out of the migration, by line, with
// its SQL; with emitSQL the plan also writes that SQL as a deferred
// migration, for teams that apply it as SQL after the release.
func Rendered(fsys fs.FS, m source.Migration, fr checker.FileResult, opts Options, emitSQL bool) (*Plan, error) {
	switch opts.Format.(type) {
	case source.Alembic:
		return alembic(fsys, m, fr, opts, emitSQL)
	case source.Django:
		return django(fsys, m, fr, opts, emitSQL)
	}
	plan := &Plan{Source: m.Path}
	var sql strings.Builder
	for _, s := range fr.Statements {
		if s.Phase == checker.Expand {
			continue
		}
		plan.Moved++
		plan.Notes = append(plan.Notes, fmt.Sprintf("line %d (%s): %s", s.Pos.Line, s.Phase, oneLine(s.SQL)))
		sql.WriteString(strings.TrimSpace(s.SQL))
		if !strings.HasSuffix(strings.TrimSpace(s.SQL), ";") {
			sql.WriteString(";")
		}
		sql.WriteString("\n")
	}
	if plan.Moved == 0 {
		return nil, ErrNothing
	}
	plan.Notes = append(plan.Notes, fmt.Sprintf("phasegate does not rewrite %s: remove these operations from it and apply them one release later (in a migration added after the next release, or as the SQL)", path.Base(m.Path)))
	if !emitSQL {
		plan.Notes = append(plan.Notes, "--emit-sql writes their SQL to "+opts.DeferredDir)
		return plan, nil
	}
	p := path.Join(opts.DeferredDir, strings.TrimSuffix(path.Base(m.Path), path.Ext(m.Path))+"_contract.sql")
	if _, err := fs.Stat(fsys, p); err == nil {
		return nil, fmt.Errorf("%s already exists: remove it first, or edit it by hand", p)
	}
	h := deferred.Header{After: opts.After, From: m.Path, PR: opts.PR}
	plan.Changes = append(plan.Changes, FileChange{Path: p, New: deferred.Separate(h.String()+sql.String(), h.String())})
	return plan, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// renderedSides reads again the SQL an ORM (tool) rendered for m, one
// statement each, and gives each its side: the tool's own transaction
// control and the session settings stay (both: they apply to the deferred
// part too), expand statements stay, the others wait. ErrNothing when none
// waits.
func renderedSides(m source.Migration, fr checker.FileResult, tool string) ([]*sqltext.Statement, []side, error) {
	stmts := make([]*sqltext.Statement, len(fr.Statements))
	sides := make([]side, len(fr.Statements))
	contract := 0
	for i, s := range fr.Statements {
		st, err := parseOne(s.SQL)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: the SQL %s renders for it cannot be read again (%v): split it by hand", m.Path, s.Pos.Line, tool, err)
		}
		st.Index, st.Pos = i, s.Pos
		stmts[i] = st
		switch {
		case st.Node.GetTransactionStmt() != nil:
			sides[i] = now // the tool's own (Alembic's, around an autocommit_block)
		case isSession(st.Node):
			sides[i] = both
		case s.Phase != checker.Expand:
			sides[i] = later
			contract++
		}
	}
	if contract == 0 {
		return nil, nil, ErrNothing
	}
	return stmts, sides, nil
}
