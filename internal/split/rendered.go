package split

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/source"
)

// Rendered plans the split of a migration written in an ORM's language
// (an Alembic revision, a Django migration), judged by the SQL the ORM
// renders for it. An Alembic revision is cut like a SQL migration (see
// alembic). For the others, phasegate does not rewrite code: the plan's
// notes name each operation to move out of the migration, by line, with
// its SQL; with emitSQL the plan also writes that SQL as a deferred
// migration, for teams that apply it as SQL after the release.
func Rendered(fsys fs.FS, m source.Migration, fr checker.FileResult, opts Options, emitSQL bool) (*Plan, error) {
	if _, ok := opts.Format.(source.Alembic); ok {
		return alembic(fsys, m, fr, opts, emitSQL)
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
	plan.Changes = append(plan.Changes, FileChange{Path: p, New: h.String() + sql.String()})
	return plan, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
