// Package checker assigns every migration statement a phase (expand,
// contract, unknown) and finds its lock and rewrite hazards.
//
// It is pure: a Checker holds the schema catalog as of the base revision
// and is fed the changed migration files one at a time, in apply order;
// each file's statements are judged against the catalog as the earlier
// statements left it, so objects the change itself creates carry no risk.
// Rules live one per file (rule_*.go), as data plus a small function.
package checker

import (
	"fmt"
	"path"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/schema"
	"github.com/phasegate/phasegate/source"
	"github.com/phasegate/phasegate/sqltext"
)

// DefaultVersion is the PostgreSQL major version assumed when the config
// names none.
const DefaultVersion = 16

// Options configure a Checker.
type Options struct {
	// Version is the target PostgreSQL major version.
	Version int
	// Severity overrides rule severities by rule id; Off disables a rule.
	Severity map[string]Severity
	// Ignore lists rules to ignore in files matching a path pattern.
	Ignore []IgnoreRule
	// LockTimeout says the migration tool or role already sets lock_timeout,
	// so files need not.
	LockTimeout bool
}

// IgnoreRule silences rules in files whose path matches Path (a
// path.Match pattern, or a directory prefix ending in "/").
type IgnoreRule struct {
	Path  string
	Rules []string // rule ids; "*" for all
}

// Input is one migration file to judge.
type Input struct {
	Migration source.Migration
	Tx        source.TxMode
	File      *sqltext.File
	// Judge reports whether a statement is part of the change; statements
	// it rejects were applied by the base replay and are skipped (used for
	// edited migrations). Nil judges every statement.
	Judge func(s *sqltext.Statement) bool
	// Deferred marks a deferred contract migration: it runs after the next
	// release, so its compatibility findings are expected (reported at
	// info) while its locking findings stand.
	Deferred bool
	// Followup marks an active migration that carries a deferred
	// migration's header: the follow-up bot moved it in because the release
	// that stopped using what it removes has shipped. Its compatibility
	// findings are warnings: the runtime check against that release is the
	// proof.
	Followup bool
}

// FileResult is the verdict on one file.
type FileResult struct {
	Migration  source.Migration
	Tx         source.TxMode
	Deferred   bool
	Statements []StatementResult
	// Findings not tied to a statement (directives that precede none...).
	Findings []Finding
}

// StatementResult is the verdict on one statement.
type StatementResult struct {
	Pos, EndPos sqltext.Position
	SQL         string
	Phase       Phase
	Findings    []Finding
	// Locks are the locks the statement is expected to take on relations
	// that existed before the change.
	Locks []Lock
	// PhaseDirective is the reason given by a phasegate:phase directive.
	PhaseDirective string
}

// Finding is one problem.
type Finding struct {
	Rule     *Rule
	Severity Severity
	Message  string
	Fix      string
	// Pos, if set, points somewhere other than the statement's start.
	Pos *sqltext.Position
}

// Checker judges migration files against an evolving catalog.
type Checker struct {
	opts    Options
	catalog *schema.Catalog
	sev     []Severity // per rule (in Rules order), for the file being judged
}

// New returns a Checker that judges against cat, the schema as of the base
// revision; it updates cat as statements are judged.
func New(cat *schema.Catalog, opts Options) *Checker {
	if opts.Version == 0 {
		opts.Version = DefaultVersion
	}
	return &Checker{opts: opts, catalog: cat}
}

// Catalog is the catalog as the files judged so far left it.
func (c *Checker) Catalog() *schema.Catalog { return c.catalog }

// severity returns the effective severity of a rule in a file.
func (c *Checker) severity(r *Rule, file string) Severity { return c.opts.SeverityOf(r, file) }

// SeverityOf returns the effective severity of rule r in a file: Off when
// an ignore entry covers the file, else the configured or default one.
func (o Options) SeverityOf(r *Rule, file string) Severity {
	for _, ig := range o.Ignore {
		if matchPath(ig.Path, file) {
			for _, id := range ig.Rules {
				if id == "*" || id == r.ID {
					return Off
				}
			}
		}
	}
	if s, ok := o.Severity[r.ID]; ok {
		return s
	}
	return r.Severity
}

// matchPath matches a file path against a config pattern: a path.Match
// pattern, or a directory prefix ending in "/".
func matchPath(pattern, file string) bool {
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(file, pattern)
	}
	ok, _ := path.Match(pattern, file)
	return ok
}

// File judges one file and replays it into the catalog.
func (c *Checker) File(in Input) FileResult {
	res := FileResult{Migration: in.Migration, Tx: in.Tx, Deferred: in.Deferred}
	// Each rule's severity in this file, computed once.
	c.sev = c.sev[:0]
	for _, r := range Rules() {
		c.sev = append(c.sev, c.severity(r, in.Migration.Path))
	}
	f := in.File
	st := &session{tx: in.Tx, stmts: len(f.Statements), lockTimeout: c.opts.LockTimeout, altered: map[schema.QName]bool{}, held: map[schema.QName]bool{}}
	st.inTx, st.mixed = FileTransaction(in.Tx, f.Statements)
	judged := 0
	for _, s := range f.Statements {
		origin := schema.Origin{New: true, Path: in.Migration.Path, Line: s.Pos.Line}
		if in.Judge != nil && !in.Judge(s) {
			// An unchanged statement of an edited migration: the base
			// replay already applied it, so only its session settings
			// (search_path) are replayed; re-creating its objects here
			// would make production objects look new.
			if s.Node.GetVariableSetStmt() != nil {
				c.catalog.Apply(s.Node, schema.Origin{Path: in.Migration.Path, Line: s.Pos.Line})
			}
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
			for _, inner := range doBody.Stmts {
				st.after(&sqltext.Statement{Node: inner.Node, Pos: s.Pos}, c.catalog)
			}
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
			c.catalog.Apply(s.Node, origin)
			st.after(s, c.catalog)
		}
	}
	c.catalog.EndSession()
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

// FileTransaction says whether a migration tool with transaction mode tx
// runs a file of these statements inside one transaction block, and, for
// Flyway, whether the file mixes statements Flyway runs without a
// transaction with others (which Flyway refuses).
func FileTransaction(tx source.TxMode, stmts []*sqltext.Statement) (inTx, mixed bool) {
	switch tx {
	case source.TxFile:
		return true, false
	case source.TxImplicit:
		return len(stmts) > 1, false
	case source.TxAuto:
		nonTx := 0
		for _, s := range stmts {
			if flywayNonTransactional(s.Node) {
				nonTx++
			}
		}
		return nonTx == 0, nonTx > 0 && nonTx < len(stmts)
	}
	return false, false
}

// NonTransactional names the statement when PostgreSQL refuses to run it
// inside a transaction block ("" otherwise).
func NonTransactional(n *pg.Node) string { return nonTransactional(n) }

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

// doBlock returns the body of a DO block phasegate can read.
func doBlock(s *sqltext.Statement) (*schema.DoBody, bool) {
	d := s.Node.GetDoStmt()
	if d == nil {
		return nil, false
	}
	body, err := schema.ParseDo(d)
	return body, err == nil
}

// doFindings judges a DO block by its statements: each is checked by the
// rules against the catalog the ones before it left, and replayed. The
// block's own findings (dynamic SQL) come from the rules on the block.
func (c *Checker) doFindings(ctx *Context, body *schema.DoBody, origin schema.Origin) []Finding {
	findings := c.findings(ctx)
	ctx.locks, ctx.locksDone = nil, true
	for _, in := range body.Stmts {
		ictx := &Context{Stmt: ctx.Stmt, Node: in.Node, Catalog: c.catalog, Version: ctx.Version, Path: ctx.Path, Format: ctx.Format, sess: ctx.sess}
		for _, f := range c.findings(ictx) {
			f.Message = fmt.Sprintf("in the DO block (line %d of its body): %s", in.Line, f.Message)
			f.Pos = nil
			findings = append(findings, f)
		}
		ctx.locks = mergeLocks(ctx.locks, ictx.Locks())
		c.catalog.Apply(in.Node, origin)
	}
	return findings
}

// mergeLocks adds locks, keeping the strongest mode per relation.
func mergeLocks(into, more []Lock) []Lock {
	for _, l := range more {
		found := false
		for i := range into {
			if into[i].Relation == l.Relation {
				found = true
				if l.Mode > into[i].Mode {
					into[i].Mode = l.Mode
				}
				into[i].Rewrite = into[i].Rewrite || l.Rewrite
				into[i].Scan = into[i].Scan || l.Scan
			}
		}
		if !found {
			into = append(into, l)
		}
	}
	return into
}

// verdict applies a statement's directives to its findings and gives its
// phase.
func (c *Checker) verdict(ctx *Context, file string, res *FileResult, findings []Finding) StatementResult {
	s := ctx.Stmt
	// The text is copied so that results do not keep whole files alive.
	out := StatementResult{Pos: s.Pos, EndPos: s.EndPos, SQL: strings.Clone(s.Text), Locks: ctx.Locks()}
	// Directives: ignore drops findings; phase overrides the verdict.
	var phaseDirective *sqltext.Directive
	for _, d := range s.Directives {
		pos := d.Pos
		switch d.Kind {
		case sqltext.Ignore:
			for _, id := range d.Rules {
				if Lookup(id) == nil {
					res.Findings = append(res.Findings, c.finding(invalidDirective, file,
						fmt.Sprintf("phasegate:ignore names unknown rule %q (see docs/rules.md for the rule ids)", id), &pos))
					continue
				}
				n := len(findings)
				findings = dropRule(findings, id)
				if n == len(findings) {
					res.Findings = append(res.Findings, c.finding(unusedDirective, file,
						fmt.Sprintf("phasegate:ignore %s: the statement has no %s finding to ignore; remove the directive", id, id), &pos))
				}
			}
		case sqltext.SetPhase:
			phaseDirective = d
		}
	}
	for _, f := range findings {
		if f.Rule.Category == Compatibility && f.Rule.Phase > out.Phase {
			out.Phase = f.Rule.Phase
		}
	}
	if d := phaseDirective; d != nil {
		want := Expand
		if d.Phase == "contract" {
			want = Contract
		}
		pos := d.Pos
		if want == out.Phase {
			res.Findings = append(res.Findings, c.finding(unusedDirective, file,
				fmt.Sprintf("phasegate:phase %s: the statement is %s already; remove the directive", d.Phase, d.Phase), &pos))
		} else {
			out.Phase = want
			out.PhaseDirective = d.Reason
			for i := range findings {
				if findings[i].Rule.Category == Compatibility {
					findings[i].Severity = Info
					findings[i].Message += fmt.Sprintf(" (phase set to %s at line %d: %s)", d.Phase, d.Pos.Line, d.Reason)
				}
			}
		}
	}
	out.Findings = findings
	return out
}

func dropRule(fs []Finding, id string) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if f.Rule.ID != id {
			out = append(out, f)
		}
	}
	return out
}

// session is what a migration file's earlier statements did to the
// connection that runs it.
type session struct {
	tx               source.TxMode
	stmts            int
	inTx             bool // the next statement runs inside a transaction block
	explicitTx       bool // the block was opened by BEGIN in the file
	mixed            bool // Flyway: non-transactional statements beside others
	beginPos         sqltext.Position
	lockTimeout      bool
	statementTimeout bool
	// altered holds the tables DDL in the current transaction has locked.
	altered map[schema.QName]bool
	// held holds the existing tables the current transaction has locked
	// against writes.
	held map[schema.QName]bool
}

// after updates the session with the effects of statement s.
func (st *session) after(s *sqltext.Statement, cat *schema.Catalog) {
	switch n := s.Node.GetNode().(type) {
	case *pg.Node_TransactionStmt:
		switch n.TransactionStmt.Kind {
		case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
			st.inTx, st.explicitTx, st.beginPos = true, true, s.Pos
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK,
			pg.TransactionStmtKind_TRANS_STMT_PREPARE:
			st.explicitTx = false
			st.inTx = st.tx == source.TxFile || st.tx == source.TxImplicit && st.stmts > 1
			st.altered = map[schema.QName]bool{}
			st.held = map[schema.QName]bool{}
		}
	case *pg.Node_VariableSetStmt:
		set := n.VariableSetStmt.Kind == pg.VariableSetKind_VAR_SET_VALUE
		switch n.VariableSetStmt.Name {
		case "lock_timeout":
			st.lockTimeout = set
		case "statement_timeout":
			st.statementTimeout = set
		}
	case *pg.Node_SelectStmt:
		if len(n.SelectStmt.FromClause) == 0 {
			for _, name := range configsSet(n.SelectStmt) {
				switch name {
				case "lock_timeout":
					st.lockTimeout = true
				case "statement_timeout":
					st.statementTimeout = true
				}
			}
		}
	case *pg.Node_AlterTableStmt:
		if st.inTx {
			st.altered[cat.Resolve(n.AlterTableStmt.Relation)] = true
		}
	}
}

// configsSet returns the settings a SELECT sets with set_config('name', ...).
func configsSet(s *pg.SelectStmt) []string {
	var out []string
	for _, t := range s.TargetList {
		schema.Walk(t, func(n *pg.Node) {
			fc := n.GetFuncCall()
			if fc == nil || len(fc.Args) == 0 {
				return
			}
			names := schema.Names(fc.Funcname)
			if len(names) > 0 && names[len(names)-1] == "set_config" {
				if c := fc.Args[0].GetAConst(); c != nil && c.GetSval() != nil {
					out = append(out, c.GetSval().Sval)
				}
			}
		})
	}
	return out
}
