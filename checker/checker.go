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
	"slices"
	"strconv"
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
	// Before, if set, is called before statement i of the file is judged,
	// with the catalog as the statements before it left it (split reads
	// the definitions it recreates there). It must not change the catalog.
	Before func(i int, cat *schema.Catalog)
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
	// Edit, if set, is the fix as a rewrite of the statement's lines
	// (edit.go).
	Edit *Edit
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

// startDo and endDo bracket the statements of a DO block: without a
// transaction block, the DO statement is a transaction of its own.
func (st *session) startDo(line int) {
	st.doLine = line
	if !st.inTx {
		st.beginTx()
	}
	st.inDo = true
}

func (st *session) endDo() {
	st.inDo = false
	if !st.inTx {
		st.endTx(false, fmt.Sprintf("the DO block at line %d", st.doLine))
	}
}

// doBodyStart returns the offset in s.Text at which the body of DO
// statement s starts (just after its opening quote), or -1.
func doBodyStart(s *sqltext.Statement) int {
	d := s.Node.GetDoStmt()
	if d == nil {
		return -1
	}
	for _, a := range d.Args {
		de := a.GetDefElem()
		if de == nil || de.Defname != "as" {
			continue
		}
		// The location is the file offset of the string constant.
		if at := int(de.Location) - s.Start; at >= 0 && at < len(s.Text) {
			t := s.Text[at:]
			switch {
			case strings.HasPrefix(t, "'"):
				return at + 1
			case len(t) > 1 && (t[0] == 'e' || t[0] == 'E') && t[1] == '\'':
				return at + 2
			case strings.HasPrefix(t, "$"):
				if end := strings.IndexByte(t[1:], '$'); end >= 0 {
					return at + end + 2
				}
			}
		}
		// Else look for the body itself.
		if body := de.Arg.GetString_().GetSval(); body != "" {
			return strings.Index(s.Text, body)
		}
	}
	return -1
}

// doStatementPos returns the file position of statement in of the body of
// DO statement s, whose body starts at offset start of s.Text: its line is
// the body's line plus in.Line - 1, and its column that of its text on
// that line (searched from *cursor on, which it advances past a match), or
// of the line's first non-blank. It is nil when it cannot be told.
func doStatementPos(f *sqltext.File, s *sqltext.Statement, start int, in schema.DoStatement, cursor *int) *sqltext.Position {
	if f == nil || start < 0 || in.Line < 1 {
		return nil
	}
	text := s.Text
	line := start
	for n := 1; n < in.Line; n++ {
		i := strings.IndexByte(text[line:], '\n')
		if i < 0 {
			return nil
		}
		line += i + 1
	}
	end := len(text)
	if i := strings.IndexByte(text[line:], '\n'); i >= 0 {
		end = line + i
	}
	at := -1
	if sql := strings.TrimSpace(in.SQL); sql != "" {
		from := max(line, *cursor)
		if i := strings.Index(text[from:], sql); i >= 0 && from+i < end {
			at = from + i
			*cursor = at + 1
		}
	}
	if at < 0 {
		at = line
		for at < end && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r') {
			at++
		}
	}
	p := f.Pos(s.Start + at)
	return &p
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
	oneFixPerConstraint(findings)
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
	version          int  // target PostgreSQL major version
	inTx             bool // the next statement runs inside a transaction block
	explicitTx       bool // the block was opened by BEGIN in the file
	mixed            bool // Flyway: non-transactional statements beside others
	beginPos         sqltext.Position
	lockTimeout      bool // lock_timeout is in effect: lockT.effective()
	statementTimeout bool // statement_timeout is in effect: stmtT.effective()
	lockT, stmtT     timeoutSetting
	// inDo is set while the statements of a DO block are replayed: the
	// block runs in a transaction of its own when no transaction block is
	// open, so SET LOCAL and new enum values last until the block ends.
	inDo   bool
	doLine int // the line of the DO block
	// altered holds the tables DDL in the current transaction has locked.
	altered map[schema.QName]bool
	// held holds the existing tables the current transaction has locked
	// against writes.
	held map[schema.QName]bool
	// enumValues are the labels ALTER TYPE ... ADD VALUE added in the
	// current transaction, which PostgreSQL 12+ refuses to use before
	// commit; enumTypes are the enum types the transaction created.
	enumValues map[string][]addedEnumValue
	enumTypes  map[schema.QName]bool
	// lockGroups and stmtGroups gather the statements that lack a
	// lock_timeout (statement_timeout): reported once per transaction.
	lockGroups, stmtGroups onePerTransaction
}

// addedEnumValue is an enum label added in the current transaction.
type addedEnumValue struct {
	Type schema.QName
	Line int // where ALTER TYPE ... ADD VALUE is in the file
}

// timeoutSetting follows one timeout setting (lock_timeout,
// statement_timeout) through SET, SET LOCAL, RESET and transaction ends.
// A value counts as set when it is non-zero: 0 disables the timeout.
type timeoutSetting struct {
	base    bool // after RESET: what the tool or role sets
	session bool // the session value (SET)
	atBegin bool // the session value when the transaction began: ROLLBACK restores it
	local   bool // the SET LOCAL value, while localSet
	// localSet is true from SET LOCAL to the end of the transaction.
	localSet bool
	// unset says why a timeout the file sets is not in effect ("" if it
	// does not set one, or it is in effect).
	unset string
}

func (t *timeoutSetting) effective() bool {
	if t.localSet {
		return t.local
	}
	return t.session
}

// set applies SET (or SET LOCAL when local) at line; off says how the
// statement turns the timeout off, when on is false. SET LOCAL outside a
// transaction does nothing (PostgreSQL only warns); SET overrides an
// earlier SET LOCAL.
func (t *timeoutSetting) set(on, local, inTx bool, line int, off string) {
	switch {
	case local && !inTx:
		if on && !t.effective() {
			t.unset = fmt.Sprintf("the SET LOCAL at line %d has no effect outside a transaction block", line)
		}
		return
	case local:
		t.local, t.localSet = on, true
	default:
		t.session, t.localSet = on, false
	}
	if !on && off != "" {
		t.unset = fmt.Sprintf("line %d %s", line, off)
	}
}

// begin notes the start of a transaction.
func (t *timeoutSetting) begin() { t.atBegin = t.session }

// end ends the transaction (where: "the transaction at line 5"): SET
// LOCAL values go; ROLLBACK also undoes the transaction's SETs.
func (t *timeoutSetting) end(rollback bool, where string) {
	was := t.effective()
	t.localSet = false
	if rollback {
		t.session = t.atBegin
	}
	if was && !t.effective() {
		t.unset = "its SET LOCAL ended with " + where
		if rollback {
			t.unset = "it was undone by the rollback of " + where
		}
	}
}

// newSession is the state of the connection before a file's first
// statement.
func newSession(tx source.TxMode, stmts []*sqltext.Statement, version int, lockTimeout bool) *session {
	st := &session{tx: tx, stmts: len(stmts), version: version, altered: map[schema.QName]bool{}, held: map[schema.QName]bool{}}
	st.lockT = timeoutSetting{base: lockTimeout, session: lockTimeout, atBegin: lockTimeout}
	st.inTx, st.mixed = FileTransaction(tx, stmts)
	st.sync()
	return st
}

// sync refreshes the flags rules read.
func (st *session) sync() {
	st.lockTimeout, st.statementTimeout = st.lockT.effective(), st.stmtT.effective()
}

// inTransaction reports whether a SET LOCAL or a new enum value lasts
// beyond the statement: inside a transaction block, or in a DO block.
func (st *session) inTransaction() bool { return st.inTx || st.inDo }

// beginTx starts a transaction.
func (st *session) beginTx() {
	st.lockT.begin()
	st.stmtT.begin()
	st.lockGroups.newTransaction()
	st.stmtGroups.newTransaction()
	st.enumValues, st.enumTypes = nil, nil
}

// endTx ends the current transaction (rollback: by ROLLBACK); where names
// the end.
func (st *session) endTx(rollback bool, where string) {
	st.lockT.end(rollback, where)
	st.stmtT.end(rollback, where)
	st.lockGroups.newTransaction()
	st.stmtGroups.newTransaction()
	st.altered = map[schema.QName]bool{}
	st.held = map[schema.QName]bool{}
	st.enumValues, st.enumTypes = nil, nil
	st.sync()
}

// before updates the session with what statement n does that must be read
// off the catalog before the statement is replayed into it.
func (st *session) before(n *pg.Node, cat *schema.Catalog, line int) {
	switch {
	case n.GetCreateEnumStmt() != nil:
		if st.inTransaction() {
			if st.enumTypes == nil {
				st.enumTypes = map[schema.QName]bool{}
			}
			st.enumTypes[cat.ResolveNames(namesOf(n.GetCreateEnumStmt().TypeName))] = true
		}
	case n.GetAlterEnumStmt() != nil:
		st.alterEnum(n.GetAlterEnumStmt(), cat, line)
	}
}

// alterEnum remembers the labels ALTER TYPE ... ADD VALUE adds in a
// transaction: PostgreSQL 12+ refuses to use them until the transaction
// commits ("unsafe use of new value"), except, from PostgreSQL 17, the
// labels of an enum type the same transaction created. Before 12, ADD VALUE
// in a transaction block fails by itself unless the type is new, and then
// its labels can be used.
func (st *session) alterEnum(a *pg.AlterEnumStmt, cat *schema.Catalog, line int) {
	q := cat.ResolveNames(namesOf(a.TypeName))
	if a.OldVal != "" { // RENAME VALUE: a new label keeps being new
		for i, v := range st.enumValues[a.OldVal] {
			if v.Type == q {
				st.enumValues[a.OldVal] = append(st.enumValues[a.OldVal][:i:i], st.enumValues[a.OldVal][i+1:]...)
				st.enumValues[a.NewVal] = append(st.enumValues[a.NewVal], v)
				break
			}
		}
		return
	}
	if !st.inTransaction() || st.version < 12 || st.version >= 17 && st.enumTypes[q] {
		return
	}
	if t := cat.Types[q]; a.SkipIfNewValExists && t != nil && slices.Contains(t.Values, a.NewVal) {
		return // IF NOT EXISTS of a committed label: nothing is added
	}
	if st.enumValues == nil {
		st.enumValues = map[string][]addedEnumValue{}
	}
	st.enumValues[a.NewVal] = append(st.enumValues[a.NewVal], addedEnumValue{Type: q, Line: line})
}

// after updates the session with the effects of statement s.
func (st *session) after(s *sqltext.Statement, cat *schema.Catalog) {
	defer st.sync()
	switch n := s.Node.GetNode().(type) {
	case *pg.Node_TransactionStmt:
		switch n.TransactionStmt.Kind {
		case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
			if !st.inTx {
				st.beginTx()
			}
			st.inTx, st.explicitTx, st.beginPos = true, true, s.Pos
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK,
			pg.TransactionStmtKind_TRANS_STMT_PREPARE:
			st.endTx(n.TransactionStmt.Kind == pg.TransactionStmtKind_TRANS_STMT_ROLLBACK, fmt.Sprintf("the transaction at line %d", s.Pos.Line))
			st.explicitTx = false
			st.inTx = st.tx == source.TxFile || st.tx == source.TxImplicit && st.stmts > 1
			if st.inTx {
				st.beginTx()
			}
		}
	case *pg.Node_VariableSetStmt:
		v := n.VariableSetStmt
		switch v.Kind {
		case pg.VariableSetKind_VAR_SET_VALUE:
			if t := st.timeout(v.Name); t != nil {
				t.set(len(v.Args) == 0 || !zeroDuration(v.Args[0]), v.IsLocal, st.inTransaction(), s.Pos.Line, "sets it to 0, which disables it")
			}
		case pg.VariableSetKind_VAR_SET_DEFAULT, pg.VariableSetKind_VAR_RESET:
			// The default is what the tool or the role sets, if anything.
			if t := st.timeout(v.Name); t != nil {
				t.set(t.base, v.IsLocal, st.inTransaction(), s.Pos.Line, "resets it")
			}
		case pg.VariableSetKind_VAR_RESET_ALL:
			st.lockT.set(st.lockT.base, false, st.inTransaction(), s.Pos.Line, "resets it")
			st.stmtT.set(st.stmtT.base, false, st.inTransaction(), s.Pos.Line, "resets it")
		}
	case *pg.Node_SelectStmt:
		if len(n.SelectStmt.FromClause) == 0 {
			for _, c := range configsSet(n.SelectStmt) {
				if t := st.timeout(c.name); t != nil {
					t.set(c.on, c.local, st.inTransaction(), s.Pos.Line, "sets it to 0, which disables it")
				}
			}
		}
	case *pg.Node_AlterTableStmt:
		if st.inTx {
			st.altered[cat.Resolve(n.AlterTableStmt.Relation)] = true
		}
	}
}

// timeout returns the timeout setting named name, or nil.
func (st *session) timeout(name string) *timeoutSetting {
	switch name {
	case "lock_timeout":
		return &st.lockT
	case "statement_timeout":
		return &st.stmtT
	}
	return nil
}

// zeroDuration reports whether a SET value is a zero duration (0, '0',
// '0s', '0ms'...), which disables a timeout.
func zeroDuration(n *pg.Node) bool {
	c := n.GetAConst()
	if c == nil {
		return false
	}
	var s string
	switch {
	case c.GetIval() != nil:
		return c.GetIval().Ival == 0
	case c.GetFval() != nil:
		s = c.GetFval().Fval
	case c.GetSval() != nil:
		s = c.GetSval().Sval
	default:
		return false
	}
	s = strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("+-.0123456789", r) })
	if i < 0 {
		i = len(s)
	}
	switch strings.TrimSpace(s[i:]) {
	case "", "us", "ms", "s", "min", "h", "d":
	default:
		return false
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	return err == nil && f == 0
}

// configSet is one set_config('name', value, is_local) call.
type configSet struct {
	name      string
	on, local bool
}

// configsSet returns the settings a SELECT sets with set_config('name',
// value, is_local). A value that is not a constant counts as set, an
// is_local that is not a constant as false.
func configsSet(s *pg.SelectStmt) []configSet {
	var out []configSet
	for _, t := range s.TargetList {
		schema.Walk(t, func(n *pg.Node) {
			fc := n.GetFuncCall()
			if fc == nil || len(fc.Args) == 0 {
				return
			}
			names := schema.Names(fc.Funcname)
			if len(names) == 0 || names[len(names)-1] != "set_config" {
				return
			}
			c := fc.Args[0].GetAConst()
			if c == nil || c.GetSval() == nil {
				return
			}
			cs := configSet{name: c.GetSval().Sval, on: true}
			if len(fc.Args) > 1 {
				cs.on = !zeroDuration(fc.Args[1])
			}
			if len(fc.Args) > 2 {
				cs.local = constTrue(fc.Args[2])
			}
			out = append(out, cs)
		})
	}
	return out
}

// constTrue reports whether n is the constant true (true, 'true', 't',
// 'on', 'yes', '1', possibly cast).
func constTrue(n *pg.Node) bool {
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.Arg
	}
	c := n.GetAConst()
	switch {
	case c == nil:
		return false
	case c.GetBoolval() != nil:
		return c.GetBoolval().Boolval
	case c.GetIval() != nil:
		return c.GetIval().Ival != 0
	case c.GetSval() != nil:
		switch strings.ToLower(strings.TrimSpace(c.GetSval().Sval)) {
		case "t", "true", "on", "yes", "y", "1":
			return true
		}
	}
	return false
}
