// Package split does the "brain surgery" of expand/contract for the user:
// it splits a migration that mixes phases into its expand part, which
// stays in the same file, and a new deferred migration holding the
// contract part, with the header the follow-up bot reads.
//
// A contract statement moves whole only when the new code no longer needs
// what it removes (a drop of something the new release stopped using; split
// refuses when the new code still mentions it). The others are rewritten
// into the standard recipes (rewrite.go and recipe_*.go): a renamed column
// is added beside the old one and kept in sync by a trigger, backfilled in
// batches and dropped later; a required column is added nullable and made
// NOT NULL later through a validated CHECK; a renamed table leaves an
// updatable view behind. The steps that must run outside a transaction (the
// backfill, concurrent index builds) go into new migrations the tool
// applies right after the original one; the deferred part is cut into
// transactions that commit one after another where a scan must not run
// under a stronger lock.
//
// Each statement keeps its comments and directives; order is kept; the
// format's up/down sections and annotations are respected, and the down
// statements that revert the contract part go with it. An expand statement
// that uses what a moved statement renames, drops or creates moves with
// it, as does everything in the same goose StatementBegin/End block; files
// that configure the migration (Diesel's metadata.toml, Flyway's .conf) are
// copied beside the deferred one. Splitting a file that has no contract
// statement left changes nothing.
package split

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/ormsql"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Options describe where migrations live, and what split may read.
type Options struct {
	Format      source.Format
	DeferredDir string
	// Dir is the migrations directory; Migrations its migrations in apply
	// order (new ones included): new migrations are named to sort right
	// after the one split.
	Dir        string
	Migrations []source.Migration
	// After is the release condition written in the header (default
	// "release").
	After string
	// PR is the pull request that defers the statements, when known.
	PR int
	// Schema returns the catalog just before statement i of the migration
	// at path (nil when unknown). Without it nothing is rewritten: contract
	// statements move as written.
	Schema func(path string, i int) *schema.Catalog
	// Version is the target PostgreSQL major version (0: the default).
	Version int
	// Code and CodeFiles are the new code, which split searches for uses
	// of what a deferred drop removes; nil skips the search. Force moves
	// such drops anyway.
	Code      fs.FS
	CodeFiles []string
	Force     bool
	// AlembicDowngrade returns the SQL Alembic renders for downgrade() of
	// a revision, which split rewrites with upgrade(); nil leaves
	// downgrade() as it is.
	AlembicDowngrade func(m source.Migration) ([]RenderedStatement, error)
	// ReadPython reads a Python file with Python's own ast module
	// (ormsql.ReadPython): split finds the calls of an Alembic revision's
	// upgrade() and downgrade() where it says they are.
	ReadPython func(path string, src []byte) (*ormsql.PyModule, error)
}

// FileChange is one file the split writes: New is its new content, ""
// to delete it; Old is "" for a new file.
type FileChange struct {
	Path     string
	Old, New string
	Delete   bool
	// PruneDir removes the file's directory too when the removal leaves it
	// empty (one directory per migration: Diesel, Prisma).
	PruneDir bool
}

// Plan is what splitting one migration does.
type Plan struct {
	Source  string
	Changes []FileChange
	// Moved counts the statements that move to the deferred migration as
	// written; Rewritten names those cut into expand and contract parts.
	Moved     int
	Rewritten []string
	Notes     []string
}

// setLocal finds SET LOCAL at the start of a line.
var setLocal = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?im)^(\s*)SET\s+LOCAL\s+`) })

// ErrNothing means the migration has no contract statement: nothing to
// split (re-running split is a no-op).
var ErrNothing = errors.New("no contract or unknown statement to defer")

// Split plans the split of migration m (its verdict fr) read from fsys.
func Split(fsys fs.FS, m source.Migration, fr checker.FileResult, opts Options) (*Plan, error) {
	file, script, err := source.Read(fsys, opts.Format, m)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%s:%w", m.Path, err)
	}
	// A template (pop) is cut where its statements stand in the file as
	// written, so that every part keeps its template actions.
	templated := file.Rendered != nil
	if file, err = file.AsWritten(); err != nil {
		return nil, fmt.Errorf("%s: %w: split it by hand", m.Path, err)
	}
	src := file.Src
	if len(file.Statements) != len(fr.Statements) {
		return nil, fmt.Errorf("%s changed since it was checked; run split again", m.Path)
	}
	up := sqltext.Region{Start: 0, End: len(src)}
	if len(script.Regions) > 1 {
		return nil, fmt.Errorf("%s has %d separate forward sections (several Up sections or changesets): split it by hand, or make it one section first", m.Path, len(script.Regions))
	}
	if script.Regions != nil {
		up = script.Regions[0]
	}
	plan := &Plan{Source: m.Path}

	// Which side each statement goes to, and the surgery it needs.
	sides := make([]side, len(file.Statements))
	contract := 0
	for i, s := range file.Statements {
		switch {
		case isSession(s.Node):
			sides[i] = both
		case fr.Statements[i].Phase != checker.Expand:
			sides[i] = later
			contract++
		default:
			sides[i] = now
		}
	}
	if contract == 0 {
		return nil, ErrNothing
	}
	rewrites, err := surgery(m, file, sides, script, opts)
	if err != nil {
		return nil, err
	}
	for i, rw := range rewrites {
		if s := file.Statements[i]; templated && strings.Contains(s.Text, "{{") {
			return nil, &Refusal{Path: m.Path, Line: s.Pos.Line, Why: rw.what + " is written with template actions ({{ ... }}), and its recipe would write the values phasegate rendered them with",
				Recipe: "Split it by hand, keeping the template actions in the statements you write."}
		}
	}
	plan.Notes = append(plan.Notes, keepBlocks(file.Statements, sides, script.Blocks)...)
	plan.Notes = append(plan.Notes, linkGroups(file.Statements, sides)...)

	deferredPath := deferredPathOf(opts, m)
	if _, err := fs.Stat(fsys, deferredPath); err == nil {
		return nil, fmt.Errorf("%s already exists: split %s by hand, or remove it first", deferredPath, m.Path)
	}
	online, err := onlineMigrations(fsys, m, src, rewrites, opts)
	if err != nil {
		return nil, err
	}

	// The expand part and the deferred part, statement by statement.
	chunks := chunksOf(string(src), file.Statements, up, script.Blocks)
	var expandText strings.Builder
	body := groups{format: opts.Format}
	expandReal := 0
	for i, ch := range chunks {
		switch sides[i] {
		case now:
			expandText.WriteString(ch)
			expandReal++
		case later:
			body.add(ch)
			plan.Moved++
		case both:
			expandText.WriteString(ch)
			body.addSession(ch, file.Statements[i])
		case rewritten:
			rw := rewrites[i]
			plan.Rewritten = append(plan.Rewritten, fmt.Sprintf("line %d: %s", file.Statements[i].Pos.Line, rw.what))
			expandText.WriteString(rewrittenChunk(opts.Format, string(src), ch, file.Statements[i], rw, deferredPath, online.paths, script.Tx == source.TxNone && !inExplicitTx(file.Statements, i)))
			if len(rw.expand) > 0 || rw.keepOriginal {
				expandReal++
			}
			if rw.moveOriginal {
				body.add(ch)
			}
			body.addGroups(rw.contract)
			for _, n := range rw.notes {
				plan.Notes = append(plan.Notes, fmt.Sprintf("line %d: %s", file.Statements[i].Pos.Line, n))
			}
		}
	}
	tail := string(src[chunkEndOf(string(src), file.Statements, up, script.Blocks):up.End])
	expandText.WriteString(tail)

	// The deferred migration's transactions.
	tx := script.Tx
	if body.count() > 1 && tx != source.TxNone {
		sep, ok := source.Separation(opts.Format)
		if !ok {
			return nil, fmt.Errorf("%s: the deferred part needs %d transactions that commit one after the other, and %s runs a migration in one: split it by hand (the rewritten statements: %s)",
				m.Path, body.count(), opts.Format.Name(), strings.Join(plan.Rewritten, "; "))
		}
		for _, s := range file.Statements {
			if s.Node.GetTransactionStmt() != nil {
				return nil, fmt.Errorf("%s: the deferred part needs %d transactions that commit one after the other, and the migration manages its own (BEGIN/COMMIT): split it by hand", m.Path, body.count())
			}
		}
		tx = sep
	}
	h := deferred.Header{After: opts.After, From: m.Path, PR: opts.PR}
	laterBody := strings.TrimLeft(body.render(tx), "\n")
	if tx == source.TxNone && script.Tx != source.TxNone {
		// Each statement commits on its own now: a SET LOCAL would end
		// with its own statement.
		laterBody = setLocal().ReplaceAllString(laterBody, "${1}SET ")
	}

	// The down part that reverts the moved statements goes with them.
	var laterDown string
	downs := downPart(fsys, m, src, script, opts.Format)
	if downs != nil && downs.file != nil {
		keep, move := splitDown(downs, targetsOf(file.Statements, sides), rewriteTargets(file.Statements, sides, rewrites))
		laterDown = move
		if move != "" || keep != downs.keptText() {
			if downs.separate {
				if keep == "" && expandReal == 0 {
					plan.Changes = append(plan.Changes, FileChange{Path: downs.path, Old: downs.text, Delete: true, PruneDir: source.IsDirPerMigration(opts.Format)})
				} else {
					plan.Changes = append(plan.Changes, FileChange{Path: downs.path, Old: downs.text, New: keep})
				}
			}
		}
		if !downs.separate {
			downs.inlineKeep = keep
		}
	}

	// The expand part stays in the file, unless nothing real is left.
	// Files that configure the migration from beside it (Diesel's
	// metadata.toml, Flyway's .conf) go with the deferred copy, and leave
	// with the file when it moves whole.
	companions := map[string]string{}
	if tx != script.Tx {
		var base []byte
		for _, cf := range configFiles(opts.Format, m.Path) {
			base, _ = fs.ReadFile(fsys, cf.path)
		}
		companions = txCompanions(opts.Format, deferredPath, tx, string(base))
	}
	for _, cf := range configFiles(opts.Format, m.Path) {
		b, err := fs.ReadFile(fsys, cf.path)
		if err != nil {
			continue
		}
		p := cf.deferredPath(deferredPath)
		if _, written := companions[p]; !written {
			plan.Changes = append(plan.Changes, FileChange{Path: p, New: string(b)})
		}
		if expandReal == 0 {
			plan.Changes = append(plan.Changes, FileChange{Path: cf.path, Old: string(b), Delete: true, PruneDir: source.IsDirPerMigration(opts.Format)})
		}
	}
	for p, content := range companions {
		plan.Changes = append(plan.Changes, FileChange{Path: p, New: content})
	}
	if expandReal == 0 {
		plan.Changes = append(plan.Changes, FileChange{Path: m.Path, Old: string(src), Delete: true, PruneDir: source.IsDirPerMigration(opts.Format)})
		plan.Notes = append(plan.Notes, fmt.Sprintf("every statement of %s is deferred: the file moves whole", m.Path))
	} else {
		newSrc := string(src[:up.Start]) + expandText.String() + string(src[up.End:])
		if downs != nil && !downs.separate && downs.file != nil && downs.inlineKeep != downs.keptText() {
			// Rebuild the down section of an inline format.
			newSrc = string(src[:up.Start]) + expandText.String() + string(src[up.End:downs.region.Start]) + downs.inlineKeep
		}
		if w, ok := opts.Format.(source.WholeSender); ok && strings.Contains(expandText.String(), "$phasegate$") {
			newSrc = string(w.SendWhole([]byte(newSrc), up.Start))
		}
		plan.Changes = append(plan.Changes, FileChange{Path: m.Path, Old: string(src), New: newSrc})
	}
	laterSrc := deferred.Separate(wrap(opts.Format, h.String(), laterBody, laterDown, tx, string(src), "contract"), h.String())

	plan.Changes = append(plan.Changes, FileChange{Path: deferredPath, New: laterSrc})
	if downs != nil && downs.separate && laterDown != "" {
		if hasDownFiles(opts.Format) {
			plan.Changes = append(plan.Changes, FileChange{Path: downPathOf(opts.Format, deferredPath), New: laterDown})
		} else {
			plan.Notes = append(plan.Notes, fmt.Sprintf("the deferred migration %s has no revert script: a plain SQL file has none; write it when the follow-up adds it to %s", deferredPath, opts.Format.Name()))
		}
	}
	plan.Changes = append(plan.Changes, online.changes...)
	if c, ok := opts.Format.(source.Checksummed); ok {
		if err := checksum(c, fsys, path.Dir(m.Path), plan); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(plan.Changes, func(i, j int) bool { return plan.Changes[i].Path < plan.Changes[j].Path })
	return plan, nil
}

// surgery decides, for each statement that must wait, whether it moves as
// written or is cut by a recipe, and marks the rewritten ones. A recipe
// that cannot be made safe, or a drop of something the new code still
// uses, is a *Refusal.
func surgery(m source.Migration, file *sqltext.File, sides []side, script source.Script, opts Options) (map[int]*rewrite, error) {
	rewrites := map[int]*rewrite{}
	if opts.Schema == nil {
		return rewrites, nil
	}
	var usage *usageIndex
	if opts.Code != nil && !opts.Force {
		// The migrations mention what they create and drop; they are not
		// uses (a Django project's are spread over its apps, outside Dir).
		skip := []string{opts.Dir, opts.DeferredDir}
		for _, m := range opts.Migrations {
			skip = append(skip, m.Path)
		}
		usage = newUsage(opts.Code, opts.CodeFiles, skip)
	}
	for i, s := range file.Statements {
		if sides[i] != later {
			continue
		}
		cat := opts.Schema(m.Path, i)
		if cat == nil {
			continue
		}
		rw, err := decide(&recipeContext{path: m.Path, stmt: s, cat: cat, version: opts.Version, format: opts.Format, usage: usage})
		if err != nil {
			return nil, err
		}
		if rw == nil {
			continue
		}
		if _, inBlock := blockOf(script.Blocks, s.Start); inBlock {
			return nil, &Refusal{Path: m.Path, Line: s.Pos.Line, Why: rw.what + " is inside a StatementBegin/StatementEnd block, which the tool sends as one unit",
				Recipe: "Take it out of the block, then run phasegate split again."}
		}
		if j, ok := renamedLater(file.Statements[i+1:], cat, s); ok {
			return nil, &Refusal{Path: m.Path, Line: s.Pos.Line, Why: fmt.Sprintf("line %d renames or moves the table later in the same migration, and the steps that run after it (the backfill, the contract) would name the table by its old name", file.Statements[i+1+j].Pos.Line),
				Recipe: "Rename the table in a migration of its own, after this one, then run phasegate split again."}
		}
		rewrites[i] = rw
		sides[i] = rewritten
	}
	return rewrites, nil
}

// renamedLater finds, among later statements, one that renames or moves
// the table statement s works on.
func renamedLater(later []*sqltext.Statement, cat *schema.Catalog, s *sqltext.Statement) (int, bool) {
	var table schema.QName
	switch n := s.Node.GetNode().(type) {
	case *pg.Node_RenameStmt:
		if n.RenameStmt.RenameType != pg.ObjectType_OBJECT_COLUMN {
			return 0, false // a table rename itself
		}
		table = cat.Resolve(n.RenameStmt.Relation)
	case *pg.Node_AlterTableStmt:
		table = cat.Resolve(n.AlterTableStmt.Relation)
	default:
		return 0, false
	}
	for j, l := range later {
		switch n := l.Node.GetNode().(type) {
		case *pg.Node_RenameStmt:
			if n.RenameStmt.RenameType == pg.ObjectType_OBJECT_TABLE && cat.Resolve(n.RenameStmt.Relation) == table {
				return j, true
			}
		case *pg.Node_AlterObjectSchemaStmt:
			if n.AlterObjectSchemaStmt.Relation != nil && cat.Resolve(n.AlterObjectSchemaStmt.Relation) == table {
				return j, true
			}
		}
	}
	return 0, false
}

// rewrittenChunk is what replaces a rewritten statement in its migration:
// the comments before it, a note that says what split did, the statement
// itself when it stays, and the expand statements.
func rewrittenChunk(f source.Format, src, chunk string, s *sqltext.Statement, rw *rewrite, deferredPath string, online []string, autocommit bool) string {
	var b strings.Builder
	lead := chunk
	if k := strings.Index(chunk, strings.TrimSpace(src[s.Start:s.End])); k >= 0 {
		lead = chunk[:k]
	}
	b.WriteString(lead)
	if len(rw.expand) == 0 && !rw.keepOriginal {
		fmt.Fprintf(&b, "-- phasegate split: %s waits for the next release in %s,\n-- as steps that hold no lock through a scan.\n", rw.what, deferredPath)
	} else {
		fmt.Fprintf(&b, "-- phasegate split: %s, cut into expand and contract steps.\n", rw.what)
		if len(rw.contract) > 0 || rw.moveOriginal {
			fmt.Fprintf(&b, "-- Its contract part waits in %s.\n", deferredPath)
		}
	}
	if len(rw.online) > 0 {
		fmt.Fprintf(&b, "-- Right after this migration, outside a transaction: %s.\n", strings.Join(online, ", "))
	}
	wrapTx := rw.atomic && autocommit
	if wrapTx {
		b.WriteString("BEGIN;\n")
	}
	if rw.keepOriginal {
		b.WriteString(strings.TrimSpace(src[s.Start:s.End]))
		b.WriteString(";\n")
	}
	for _, st := range rw.expand {
		b.WriteString(statementText(f, st))
	}
	if wrapTx {
		b.WriteString("COMMIT;\n")
	}
	// Keep the blank line that separated the statement from the next one.
	if strings.HasSuffix(chunk, "\n\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// inExplicitTx reports whether statement i runs inside a BEGIN ... COMMIT
// of the file itself.
func inExplicitTx(stmts []*sqltext.Statement, i int) bool {
	open := false
	for _, s := range stmts[:i] {
		if t := s.Node.GetTransactionStmt(); t != nil {
			switch t.Kind {
			case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
				open = true
			case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
				open = false
			}
		}
	}
	return open
}

// groups is the deferred part as transactions: pieces of SQL text (a moved
// statement with its comments, or a recipe's statement) in order.
type groups struct {
	format source.Format
	list   [][]string
	// session are the session settings, repeated after each COMMIT that
	// ends a transaction they were local to.
	session []string
	// started is set once the current transaction holds a statement other
	// than a session setting.
	started bool
}

func (g *groups) add(text string) {
	if len(g.list) == 0 {
		g.list = append(g.list, nil)
	}
	g.list[len(g.list)-1] = append(g.list[len(g.list)-1], text)
	g.started = true
}

// addSession adds a session setting where it stands; SET LOCAL is
// repeated in each later transaction.
func (g *groups) addSession(text string, s *sqltext.Statement) {
	if len(g.list) == 0 {
		g.list = append(g.list, nil)
	}
	g.list[len(g.list)-1] = append(g.list[len(g.list)-1], text)
	if v := s.Node.GetVariableSetStmt(); v != nil && v.IsLocal {
		g.session = append(g.session, strings.TrimLeft(text, "\n"))
	}
}

// addGroups adds a recipe's transactions. Each after the first starts a
// new transaction; the first joins the statements before it, unless it
// validates a constraint: a VALIDATE scans the table, and must not do so
// while the transaction holds a stronger lock on it that an earlier
// statement took.
func (g *groups) addGroups(txs [][]string) {
	for i, tx := range txs {
		if i > 0 || g.started && validates(tx) {
			g.list = append(g.list, nil)
		}
		for _, s := range tx {
			g.add(statementText(g.format, s))
		}
	}
}

// validates reports a transaction that validates a constraint.
func validates(tx []string) bool {
	for _, s := range tx {
		if strings.Contains(s, " VALIDATE CONSTRAINT ") {
			return true
		}
	}
	return false
}

func (g *groups) count() int {
	n := 0
	for _, l := range g.list {
		if len(l) > 0 {
			n++
		}
	}
	return n
}

// render writes the transactions for a file the tool runs in mode tx:
// with TxImplicit a COMMIT ends each transaction but the last (the file is
// one implicit transaction that COMMIT divides); otherwise the statements
// follow one another (each commits on its own with TxNone).
func (g *groups) render(tx source.TxMode) string {
	var b strings.Builder
	first := true
	for _, l := range g.list {
		if len(l) == 0 {
			continue
		}
		if !first && tx == source.TxImplicit {
			b.WriteString("COMMIT;\n")
			for _, s := range g.session {
				b.WriteString(s)
			}
		}
		first = false
		for _, s := range l {
			b.WriteString(s)
		}
	}
	return b.String()
}
