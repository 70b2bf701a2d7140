package checker

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

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
	// addedCons holds the constraints the current transaction added, by
	// table; consBefore the constraints of the table the statement being
	// replayed adds one to, as it found them (a constraint dropped and
	// added again under its name is another one).
	addedCons  map[schema.QName]map[string]bool
	consBefore map[string]*schema.Constraint
	// held holds the existing tables the current transaction has locked
	// against writes, in the order it locked them.
	held []schema.QName
	// enumValues are the labels ALTER TYPE ... ADD VALUE added in the
	// current transaction, which PostgreSQL 12+ refuses to use before
	// commit; enumTypes are the enum types the transaction created.
	enumValues map[string][]addedEnumValue
	enumTypes  map[schema.QName]bool
	// lockGroups and stmtGroups gather the statements that lack a
	// lock_timeout (statement_timeout): reported once per transaction.
	lockGroups, stmtGroups onePerTransaction
	// txc is the catalog as the transaction found it, and leaves it.
	txc txCatalogs
	// line maps a line of the SQL judged to the migration file's (see
	// Input.Line); nil when the SQL is the file.
	line func(int) int
}

// fileLine is the line of the migration file that holds line of the SQL
// judged: line itself, but for the SQL an ORM rendered; 0 when no line of
// the file produced it.
func (st *session) fileLine(line int) int {
	if st.line == nil {
		return line
	}
	return st.line(line)
}

// atLine is " at line N", or "" for an unknown line (0).
func atLine(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" at line %d", line)
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
			t.unset = "the SET LOCAL" + atLine(line) + " has no effect outside a transaction block"
		}
		return
	case local:
		t.local, t.localSet = on, true
	default:
		t.session, t.localSet = on, false
	}
	if !on && off != "" {
		who := fmt.Sprintf("line %d", line)
		if line <= 0 {
			who = "an earlier statement"
		}
		t.unset = who + " " + off
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
// statement; line maps the lines of the SQL to the file's (nil: the SQL
// is the file).
func newSession(tx source.TxMode, stmts []*sqltext.Statement, version int, lockTimeout bool, line func(int) int) *session {
	st := &session{tx: tx, stmts: len(stmts), version: version, altered: map[schema.QName]bool{}, line: line}
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
	st.txc = txCatalogs{}
	st.lockT.begin()
	st.stmtT.begin()
	st.lockGroups.newTransaction()
	st.stmtGroups.newTransaction()
	st.enumValues, st.enumTypes = nil, nil
}

// endTx ends the current transaction (rollback: by ROLLBACK); where names
// the end.
func (st *session) endTx(rollback bool, where string) {
	st.txc = txCatalogs{}
	st.lockT.end(rollback, where)
	st.stmtT.end(rollback, where)
	st.lockGroups.newTransaction()
	st.stmtGroups.newTransaction()
	st.altered = map[schema.QName]bool{}
	st.addedCons = nil
	st.held = nil
	st.enumValues, st.enumTypes = nil, nil
	st.sync()
}

// startDo and endDo bracket the statements of a DO block: without a
// transaction block, the DO statement is a transaction of its own.
func (st *session) startDo(line int) {
	st.doLine = st.fileLine(line)
	if !st.inTx {
		st.beginTx()
	}
	st.inDo = true
}

func (st *session) endDo() {
	st.inDo = false
	if !st.inTx {
		st.endTx(false, "the DO block"+atLine(st.doLine))
	}
}

// before updates the session with what statement n does that must be read
// off the catalog before the statement is replayed into it.
func (st *session) before(n *pg.Node, cat *schema.Catalog, line int) {
	st.txc.note(st, n, cat)
	st.consBefore = nil
	if a := n.GetAlterTableStmt(); a != nil && st.inTransaction() && addsConstraint(a) {
		st.consBefore = map[string]*schema.Constraint{}
		if t := cat.Tables[cat.Resolve(a.Relation)]; t != nil {
			for name, con := range t.Constraints {
				st.consBefore[name] = con
			}
		}
	}
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

// after updates the session with the effects of statement n at pos.
func (st *session) after(node *pg.Node, pos sqltext.Position, cat *schema.Catalog) {
	defer st.sync()
	switch n := node.GetNode().(type) {
	case *pg.Node_TransactionStmt:
		switch n.TransactionStmt.Kind {
		case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
			if !st.inTx {
				st.beginTx()
			}
			st.inTx, st.explicitTx, st.beginPos = true, true, pos
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK,
			pg.TransactionStmtKind_TRANS_STMT_PREPARE:
			st.endTx(n.TransactionStmt.Kind == pg.TransactionStmtKind_TRANS_STMT_ROLLBACK, "the transaction"+atLine(st.fileLine(pos.Line)))
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
				t.set(len(v.Args) == 0 || !zeroDuration(v.Args[0]), v.IsLocal, st.inTransaction(), st.fileLine(pos.Line), "sets it to 0, which disables it")
			}
		case pg.VariableSetKind_VAR_SET_DEFAULT, pg.VariableSetKind_VAR_RESET:
			// The default is what the tool or the role sets, if anything.
			if t := st.timeout(v.Name); t != nil {
				t.set(t.base, v.IsLocal, st.inTransaction(), st.fileLine(pos.Line), "resets it")
			}
		case pg.VariableSetKind_VAR_RESET_ALL:
			st.lockT.set(st.lockT.base, false, st.inTransaction(), st.fileLine(pos.Line), "resets it")
			st.stmtT.set(st.stmtT.base, false, st.inTransaction(), st.fileLine(pos.Line), "resets it")
		}
	case *pg.Node_SelectStmt:
		if len(n.SelectStmt.FromClause) == 0 {
			for _, c := range configsSet(n.SelectStmt) {
				if t := st.timeout(c.name); t != nil {
					t.set(c.on, c.local, st.inTransaction(), st.fileLine(pos.Line), "sets it to 0, which disables it")
				}
			}
		}
	case *pg.Node_AlterTableStmt:
		q := cat.Resolve(n.AlterTableStmt.Relation)
		if st.inTx {
			st.altered[q] = true
		}
		if t := cat.Tables[q]; st.consBefore != nil && t != nil {
			for name, con := range t.Constraints {
				if st.consBefore[name] != con {
					st.markAdded(q, name)
				}
			}
		}
	case *pg.Node_RenameStmt:
		// A constraint the transaction added keeps its mark under its new
		// name.
		r := n.RenameStmt
		if r.RenameType == pg.ObjectType_OBJECT_TABCONSTRAINT && r.Relation != nil {
			q := cat.Resolve(r.Relation)
			if st.addedCons[q][r.Subname] {
				delete(st.addedCons[q], r.Subname)
				st.markAdded(q, r.Newname)
			}
		}
	}
}

// markAdded notes that the current transaction added constraint name to
// table q.
func (st *session) markAdded(q schema.QName, name string) {
	if st.addedCons == nil {
		st.addedCons = map[schema.QName]map[string]bool{}
	}
	if st.addedCons[q] == nil {
		st.addedCons[q] = map[string]bool{}
	}
	st.addedCons[q][name] = true
}

// addsConstraint reports whether the ALTER TABLE adds a constraint.
func addsConstraint(a *pg.AlterTableStmt) bool {
	for _, cn := range a.Cmds {
		if cmd := cn.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg.AlterTableType_AT_AddConstraint {
			return true
		}
	}
	return false
}

// hold notes the locks a statement took that block writes: inside a
// transaction block, they are held until it ends.
func (st *session) hold(locks []Lock) {
	if !st.inTx {
		return
	}
	for _, l := range locks {
		if l.Mode.BlocksWrites() && !st.holds(l.Relation) {
			st.held = append(st.held, l.Relation)
		}
	}
}

// holds reports whether the current transaction holds a lock on table q
// that blocks writes.
func (st *session) holds(q schema.QName) bool { return slices.Contains(st.held, q) }

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
		pg.Walk(t, func(n *pg.Node) {
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
