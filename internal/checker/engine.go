package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
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
	st := newSession(in.Tx, f.Statements, c.opts.Version, c.opts.LockTimeout, in.Line)
	var directives []DirectiveUse
	for i, s := range f.Statements {
		if in.Before != nil {
			in.Before(i, c.catalog)
		}
		if in.Judge != nil && !in.Judge(s) {
			// An unchanged statement of an edited migration: the base
			// replay already applied it, so only its session settings
			// (search_path) reach the catalog; re-creating its objects here
			// would make production objects look new.
			body, _ := doBlock(s)
			c.replay(st, s, body, f, func(n *pg.Node) {
				if n == s.Node && n.GetVariableSetStmt() != nil {
					c.catalog.Apply(n, schema.Origin{Path: in.Migration.Path, Line: s.Pos.Line})
				}
			}, nil)
			continue
		}
		sr, uses := c.judge(st, s, in)
		directives = append(directives, uses...)
		for i := range sr.Findings {
			f := &sr.Findings[i]
			switch {
			case f.Rule.Category != Compatibility:
			case in.Deferred && f.Severity > Info:
				f.Severity = Info
				f.Message += " (deferred: it runs after the next release)"
				// Its fix is done: this is where the fix put it.
				f.Fix, f.Edit = "nothing to do now: the follow-up pull request (phasegate followup) applies it once its deferred header's condition is met (after: release, the default: once the next release has shipped)", nil
			case in.Followup && f.Severity > Warning:
				f.Severity = Warning
				f.Message += " (a deferred contract applied after its release: the runtime check against that release proves it)"
				f.Fix, f.Edit = "nothing to change: merge once the runtime check against the release it waited for passes (its compat scenario)", nil
			}
		}
		res.Statements = append(res.Statements, sr)
		st.hold(sr.Locks)
	}
	c.catalog.EndSession()
	fc := &FileContext{File: f, Path: in.Migration.Path, Result: &res, Unjudged: in.Unjudged, Header: in.Header, Directives: directives, sess: st}
	res.Findings = append(res.Findings, c.run(func(r *Rule) []Finding {
		if r.File == nil {
			return nil
		}
		fc.rule = r
		return r.File(fc)
	})...)
	return res
}

// run calls hook with every rule that is not off in the file being
// judged (see runRules).
func (c *Checker) run(hook func(r *Rule) []Finding) []Finding {
	return runRules(func(i int, _ *Rule) Severity { return c.sev[i] }, hook)
}

// run calls hook with every rule that is not off in file (see runRules).
func (o Options) run(file string, hook func(r *Rule) []Finding) []Finding {
	return runRules(func(_ int, r *Rule) Severity { return o.SeverityOf(r, file) }, hook)
}

// runRules calls hook with every rule whose severity (sev, given its index
// in Rules) is not Off, and gives the findings hook returns their rule,
// severity and, when they bring none, the rule's fix.
func runRules(sev func(i int, r *Rule) Severity, hook func(r *Rule) []Finding) []Finding {
	var findings []Finding
	for i, r := range Rules() {
		s := sev(i, r)
		if s == Off {
			continue
		}
		for _, f := range hook(r) {
			findings = append(findings, r.complete(f, s))
		}
	}
	return findings
}

// complete is f, a finding a hook of rule r returned, at severity sev.
func (r *Rule) complete(f Finding, sev Severity) Finding {
	f.Rule, f.Severity = r, sev
	if f.Fix == "" {
		f.Fix = r.Fix
	}
	return f
}

// findings runs every rule on the statement of ctx.
func (c *Checker) findings(ctx *Context) []Finding {
	return c.run(func(r *Rule) []Finding {
		if r.Check == nil {
			return nil
		}
		return r.Check(ctx)
	})
}

// judge runs the rules on statement s, replays it and gives its verdict,
// and what its directives did. A DO block phasegate can read is judged by
// its statements: the rules on the block itself say whether it runs SQL
// computed at run time, and each statement of its body is judged against
// the catalog and the session the ones before it left. Findings of a
// statement of the body point at its line in the file.
func (c *Checker) judge(st *session, s *sqltext.Statement, in Input) (StatementResult, []DirectiveUse) {
	ctx := c.context(st, s, s.Node, in.File, in.Migration)
	findings := c.findings(ctx)
	body, isDo := doBlock(s)
	var locks []Lock
	if !isDo {
		// Read before the statement is replayed: locks are taken on the
		// relations as they were before it.
		locks = ctx.Locks()
	}
	origin := schema.Origin{New: true, Path: in.Migration.Path, Line: s.Pos.Line}
	c.replay(st, s, body, in.File, func(n *pg.Node) { c.catalog.Apply(n, origin) }, func(n *pg.Node, pos *sqltext.Position, bodyLine int) {
		ctx := c.context(st, s, n, nil, in.Migration)
		for _, f := range c.findings(ctx) {
			if pos != nil {
				f.Message = "in the DO block: " + f.Message
			} else {
				f.Message = fmt.Sprintf("in the DO block (line %d of its body): %s", bodyLine, f.Message)
			}
			f.Pos = pos
			findings = append(findings, f)
		}
		locks = mergeLocks(locks, ctx.Locks())
	})
	return verdict(s, findings, locks)
}

// context is what the rules see of node n of statement s (s's own, or one
// of its DO block's), in file f (nil for a statement of a DO block).
func (c *Checker) context(st *session, s *sqltext.Statement, n *pg.Node, f *sqltext.File, m source.Migration) *Context {
	return &Context{Stmt: s, Node: n, File: f, Catalog: c.catalog, Version: c.opts.Version, Path: m.Path, Format: m.Format, sess: st}
}

// replay plays statement s into the session, and into the catalog through
// apply: the one way every statement is replayed, judged or not. A DO
// block whose body phasegate can read (body) is played statement by
// statement, each at its position in file f (the block's own when it
// cannot be told); outside a transaction block it is a transaction of its
// own. each,
// if set, is called before a statement of the body is played, with its
// node, its position (nil when it cannot be told) and its line in the
// body.
func (c *Checker) replay(st *session, s *sqltext.Statement, body *schema.DoBody, f *sqltext.File, apply func(*pg.Node), each func(n *pg.Node, pos *sqltext.Position, bodyLine int)) {
	if body == nil {
		c.play(st, s.Node, s.Pos, apply)
		return
	}
	start := doBodyStart(s)
	cursor := start
	st.startDo(s.Pos.Line)
	for _, in := range body.Stmts {
		pos := doStatementPos(f, s, start, in, &cursor)
		if each != nil {
			each(in.Node, pos, in.Line)
		}
		at := s.Pos
		if pos != nil {
			at = *pos
		}
		// The statement's session effect (SET LOCAL lock_timeout...) holds
		// for the statements after it in the block.
		c.play(st, in.Node, at, apply)
	}
	st.endDo()
}

// play replays one statement at pos: what the session must read off the
// catalog before it, the catalog, then its effect on the session.
func (c *Checker) play(st *session, n *pg.Node, pos sqltext.Position, apply func(*pg.Node)) {
	st.before(n, c.catalog, pos.Line)
	apply(n)
	st.after(n, pos, c.catalog)
}
