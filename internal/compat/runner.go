package compat

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Migration is a migration file read and parsed, ready to apply.
type Migration struct {
	source.Migration
	Tx   source.TxMode
	File *sqltext.File
	// line maps a line of File to the migration file's, when File is the
	// SQL an ORM rendered for it (nil: the same).
	line func(int) int
}

// Load reads and parses migrations from a file tree. Checkpoints (Atlas)
// are left out: the schema is built from the history, as production's was.
func Load(fsys fs.FS, format source.Format, ms []source.Migration) ([]Migration, error) {
	var out []Migration
	for _, m := range ms {
		if m.Kind == source.Checkpoint {
			continue
		}
		if m.Skip != "" {
			return nil, fmt.Errorf("%s: %s; set migrate.command in the config to let the project's own tool apply the migrations", m.Path, m.Skip)
		}
		f, script, err := source.Read(fsys, format, m)
		var pe *fs.PathError
		switch {
		case errors.As(err, &pe):
			return nil, err // names the file already
		case err != nil:
			return nil, fmt.Errorf("%s:%w", m.Path, err)
		}
		out = append(out, Migration{Migration: m, Tx: script.Tx, File: f})
	}
	return out, nil
}

// MigrationError is a statement PostgreSQL refused, at its place in the
// migration file.
type MigrationError struct {
	Path     string
	Pos      sqltext.Position // of the error inside the statement when PostgreSQL gives one
	SQLState string
	Message  string
	Detail   string
	Hint     string
}

func (e *MigrationError) Error() string {
	s := fmt.Sprintf("%s:%d:%d: %s (SQLSTATE %s)", e.Path, e.Pos.Line, e.Pos.Column, e.Message, e.SQLState)
	if e.Detail != "" {
		s += "; " + e.Detail
	}
	if e.Hint != "" {
		s += "; hint: " + e.Hint
	}
	return s
}

// Runner applies migrations the way their tool would: each file in one
// transaction or not, per the format, statement by statement so that a
// failure points at its file and line.
type Runner struct {
	// LockTimeout and StatementTimeout are set on the session first
	// (PostgreSQL interval syntax, e.g. "5s"); empty leaves the server's.
	LockTimeout, StatementTimeout string
}

// Apply runs the migrations in order on conn.
func (r Runner) Apply(ctx context.Context, conn *pgx.Conn, ms []Migration) error {
	if err := r.session(ctx, conn); err != nil {
		return err
	}
	for _, m := range ms {
		if err := r.apply(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

func (r Runner) session(ctx context.Context, conn *pgx.Conn) error {
	for name, v := range map[string]string{"lock_timeout": r.LockTimeout, "statement_timeout": r.StatementTimeout} {
		if v == "" {
			continue
		}
		if _, err := conn.Exec(ctx, "SELECT set_config($1, $2, false)", name, v); err != nil {
			return fmt.Errorf("set %s = %q: %w", name, v, err)
		}
	}
	return nil
}

func (r Runner) apply(ctx context.Context, conn *pgx.Conn, m Migration) error {
	if r.batch(ctx, conn, m) {
		return nil
	}
	inTx, _ := checker.FileTransaction(m.Tx, m.File.Statements)
	if inTx {
		if err := execSimple(ctx, conn, "BEGIN"); err != nil {
			return fmt.Errorf("%s: begin: %w", m.Path, err)
		}
	}
	for _, s := range m.File.Statements {
		if err := execSimple(ctx, conn, s.Text); err != nil {
			if inTx {
				execSimple(context.WithoutCancel(ctx), conn, "ROLLBACK")
			}
			return statementError(m, s, err)
		}
	}
	if inTx {
		if err := execSimple(ctx, conn, "COMMIT"); err != nil {
			return fmt.Errorf("%s: commit: %w", m.Path, err)
		}
	}
	return nil
}

// batch tries the fast path: the whole file in one round trip, as one
// multi-statement query wrapped in BEGIN and COMMIT. It is taken only when
// that cannot change the outcome: no statement that refuses a transaction
// block and none that manages transactions itself. Whatever goes wrong is
// rolled back, and the caller then replays the file statement by statement,
// which reproduces the failure with its exact statement and position.
func (r Runner) batch(ctx context.Context, conn *pgx.Conn, m Migration) bool {
	inTx, _ := checker.FileTransaction(m.Tx, m.File.Statements)
	if len(m.File.Statements) < 2 || (!inTx && m.Tx != source.TxNone) {
		return false
	}
	size := 16
	for _, s := range m.File.Statements {
		if s.Node.GetTransactionStmt() != nil || nontransactional(s.Node) {
			return false
		}
		size += len(s.Text) + 3
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString("BEGIN;\n")
	for _, s := range m.File.Statements {
		b.WriteString(s.Text)
		b.WriteString("\n;\n") // on its own line: a statement may end in a -- comment
	}
	b.WriteString("COMMIT")
	if err := execSimple(ctx, conn, b.String()); err != nil {
		execSimple(context.WithoutCancel(ctx), conn, "ROLLBACK")
		return false
	}
	return true
}

// execSimple sends one statement with the simple query protocol, which
// accepts every statement (no parameters, no prepare).
func execSimple(ctx context.Context, conn *pgx.Conn, sql string) error {
	_, err := conn.PgConn().Exec(ctx, sql).ReadAll()
	return err
}

// statementError places a PostgreSQL error in the migration file.
func statementError(m Migration, s *sqltext.Statement, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		p := m.filePos(s.Pos)
		return fmt.Errorf("%s:%d:%d: %w", m.Path, p.Line, p.Column, err)
	}
	off := s.Start
	if pe.Position > 0 { // 1-based character index into the statement
		chars := int(pe.Position) - 1
		for i := 0; i < chars && off < s.End; i++ {
			_, size := utf8.DecodeRune(m.File.Src[off:])
			off += size
		}
	}
	return &MigrationError{Path: m.Path, Pos: m.filePos(m.File.Pos(off)), SQLState: pe.Code, Message: pe.Message, Detail: pe.Detail, Hint: pe.Hint}
}

// Nontransactional reports whether a statement must run outside a
// transaction block.
func nontransactional(n *pg.Node) bool { return checker.NonTransactional(n) != "" }
