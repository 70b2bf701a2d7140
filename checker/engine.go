package checker

import (
	"fmt"

	"github.com/phasegate/phasegate/schema"
	"github.com/phasegate/phasegate/source"
	"github.com/phasegate/phasegate/sqltext"
)

// File judges one file and replays it into the catalog.
func (c *Checker) File(in Input) FileResult {
	res := FileResult{Migration: in.Migration, Tx: in.Tx, Deferred: in.Deferred}
	// Each rule's severity in this file, computed once.
	c.sev = c.sev[:0]
	for _, r := range Rules() {
		c.sev = append(c.sev, c.severity(r, in.Migration.Path))
	}
	f := in.File
	st := newSession(in.Tx, f.Statements, c.opts.Version, c.opts.LockTimeout)
	judged := 0
	for i, s := range f.Statements {
		if in.Before != nil {
			in.Before(i, c.catalog)
		}
		origin := schema.Origin{New: true, Path: in.Migration.Path, Line: s.Pos.Line}
		if in.Judge != nil && !in.Judge(s) {
			// An unchanged statement of an edited migration: the base
			// replay already applied it, so only its session settings
			// (search_path) are replayed; re-creating its objects here
			// would make production objects look new.
			if s.Node.GetVariableSetStmt() != nil {
				c.catalog.Apply(s.Node, schema.Origin{Path: in.Migration.Path, Line: s.Pos.Line})
			}
			if body, ok := doBlock(s); ok {
				st.startDo(s.Pos.Line)
				for _, inner := range body.Stmts {
					st.before(inner.Node, c.catalog, s.Pos.Line)
					st.after(&sqltext.Statement{Node: inner.Node, Pos: s.Pos}, c.catalog)
				}
				st.endDo()
			}
			st.before(s.Node, c.catalog, s.Pos.Line)
			st.after(s, c.catalog)
			continue
		}
		judged++
		ctx := &Context{Stmt: s, Node: s.Node, File: f, Catalog: c.catalog, Version: c.opts.Version, Path: in.Migration.Path, Format: in.Migration.Format, sess: st}
		var sr StatementResult
		doBody, isDo := doBlock(s)
		if isDo {
			// The block's statements are judged (and replayed) one by one.
			sr = c.verdict(ctx, in.Migration.Path, &res, c.doFindings(ctx, doBody, origin))
		} else {
			sr = c.statement(ctx, in.Migration.Path, &res)
		}
		for i := range sr.Findings {
			f := &sr.Findings[i]
			switch {
			case f.Rule.Category != Compatibility:
			case in.Deferred && f.Severity > Info:
				f.Severity = Info
				f.Message += " (deferred: it runs after the next release)"
			case in.Followup && f.Severity > Warning:
				f.Severity = Warning
				f.Message += " (a deferred contract applied after its release: the runtime check against that release proves it)"
			}
		}
		res.Statements = append(res.Statements, sr)
		if st.inTx {
			for _, l := range sr.Locks {
				if l.Mode.BlocksWrites() {
					st.held[l.Relation] = true
				}
			}
		}
		if !isDo {
			st.before(s.Node, c.catalog, s.Pos.Line)
			c.catalog.Apply(s.Node, origin)
			st.after(s, c.catalog)
		}
	}
	c.catalog.EndSession()
	st.lockGroups.describe(missingLockTimeout, &res)
	st.stmtGroups.describe(missingStatementTimeout, &res)
	res.Findings = append(res.Findings, c.fileFindings(in, st, judged)...)
	for _, n := range f.Notes {
		pos := n.Pos
		switch n.Kind {
		case sqltext.NoteDirective:
			res.Findings = append(res.Findings, c.finding(invalidDirective, in.Migration.Path, n.Message, &pos))
		case sqltext.NoteMetaCommand:
			res.Findings = append(res.Findings, c.finding(psqlMetaCommand, in.Migration.Path, n.Message, &pos))
		}
	}
	res.Findings = compact(res.Findings)
	return res
}

// finding builds a finding of rule r at its effective severity; it returns
// a finding with Severity Off when the rule is disabled.
func (c *Checker) finding(r *Rule, file, msg string, pos *sqltext.Position) Finding {
	return Finding{Rule: r, Severity: c.severity(r, file), Message: msg, Fix: r.Fix, Pos: pos}
}

// compact drops findings of disabled rules.
func compact(fs []Finding) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if f.Severity != Off {
			out = append(out, f)
		}
	}
	return out
}

// fileFindings are the checks of a whole file.
func (c *Checker) fileFindings(in Input, st *session, judged int) []Finding {
	var out []Finding
	if len(in.File.Statements) == 0 {
		out = append(out, c.finding(emptyMigration, in.Migration.Path, "the migration holds no SQL statement", nil))
	}
	if st.explicitTx && st.inTx && st.tx == source.TxNone {
		pos := st.beginPos
		out = append(out, c.finding(uncommittedTransaction, in.Migration.Path,
			"BEGIN without COMMIT: the transaction is still open at the end of the file", &pos))
	}
	return out
}

// statement runs every rule on one statement and applies its directives.
func (c *Checker) statement(ctx *Context, file string, res *FileResult) StatementResult {
	return c.verdict(ctx, file, res, c.findings(ctx))
}

// findings runs every rule on the statement of ctx.
func (c *Checker) findings(ctx *Context) []Finding {
	var findings []Finding
	for i, r := range Rules() {
		sev := c.sev[i]
		if sev == Off || r.Check == nil {
			continue
		}
		for _, f := range r.Check(ctx) {
			f.Rule, f.Severity = r, sev
			if f.Fix == "" {
				f.Fix = r.Fix
			}
			findings = append(findings, f)
		}
	}
	return findings
}

// doFindings judges a DO block by its statements: each is checked by the
// rules against the catalog and the session the ones before it left, and
// replayed. The block's own findings (dynamic SQL) come from the rules on
// the block. Findings of a statement of the body point at its line in the
// file.
func (c *Checker) doFindings(ctx *Context, body *schema.DoBody, origin schema.Origin) []Finding {
	findings := c.findings(ctx)
	ctx.locks, ctx.locksDone = nil, true
	s, st := ctx.Stmt, ctx.sess
	start := doBodyStart(s)
	cursor := start
	st.startDo(s.Pos.Line)
	for _, in := range body.Stmts {
		pos := doStatementPos(ctx.File, s, start, in, &cursor)
		ictx := &Context{Stmt: s, Node: in.Node, Catalog: c.catalog, Version: ctx.Version, Path: ctx.Path, Format: ctx.Format, sess: st}
		for _, f := range c.findings(ictx) {
			if pos != nil {
				f.Message = "in the DO block: " + f.Message
			} else {
				f.Message = fmt.Sprintf("in the DO block (line %d of its body): %s", in.Line, f.Message)
			}
			f.Pos = pos
			findings = append(findings, f)
		}
		ctx.locks = mergeLocks(ctx.locks, ictx.Locks())
		at := s.Pos
		if pos != nil {
			at = *pos
		}
		st.before(in.Node, c.catalog, at.Line)
		c.catalog.Apply(in.Node, origin)
		// The statement's session effect (SET LOCAL lock_timeout...) holds
		// for the statements after it in the block.
		st.after(&sqltext.Statement{Node: in.Node, Pos: at}, c.catalog)
	}
	st.endDo()
	return findings
}
