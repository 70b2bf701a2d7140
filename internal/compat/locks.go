package compat

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/checker"
)

// MeasuredLock is a lock a statement held on a relation that existed in the
// previous schema, read from pg_locks.
type MeasuredLock struct {
	Relation string `json:"relation"`
	Mode     string `json:"mode"`
	// Rewrote is set when the relation's relfilenode changed: its data was
	// rewritten.
	Rewrote bool `json:"rewrote,omitempty"`
}

// Trace is what phasegate measured of one statement.
type Trace struct {
	Path  string
	Line  int
	Locks []MeasuredLock
	// Note says why locks were not measured, when they were not.
	Note string
}

// TraceLocks applies the migrations statement by statement, each in a
// transaction of its own, on a clone of the previous schema, and records
// the relation locks each one holds on relations of prev before it commits.
// Statements that cannot run in a transaction run without one and are not
// measured. It stops at the first failing statement.
func TraceLocks(ctx context.Context, conn *pgx.Conn, ms []Migration, prev *Snapshot) ([]Trace, error) {
	var oids []uint32
	for oid, r := range prev.Relations {
		if r.Kind != "S" {
			oids = append(oids, oid)
		}
	}
	var out []Trace
	for _, m := range ms {
		for _, s := range m.File.Statements {
			if s.Node.GetTransactionStmt() != nil {
				continue
			}
			t := Trace{Path: m.Path, Line: m.fileLine(s.Pos.Line)}
			if checker.NonTransactional(s.Node) != "" {
				if err := execSimple(ctx, conn, s.Text); err != nil {
					return out, statementError(m, s, err)
				}
				t.Note = "runs outside a transaction: locks not measured"
				out = append(out, t)
				continue
			}
			locks, err := traceOne(ctx, conn, s.Text, s.Node, oids, prev)
			if err != nil {
				return out, statementError(m, s, err)
			}
			t.Locks = locks
			out = append(out, t)
		}
	}
	return out, nil
}

func traceOne(ctx context.Context, conn *pgx.Conn, sql string, node *pg.Node, oids []uint32, prev *Snapshot) ([]MeasuredLock, error) {
	before, err := relfilenodes(ctx, conn, oids)
	if err != nil {
		return nil, err
	}
	if err := execSimple(ctx, conn, "BEGIN"); err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			execSimple(context.WithoutCancel(ctx), conn, "ROLLBACK")
		}
	}()
	if err := execSimple(ctx, conn, sql); err != nil {
		return nil, err
	}
	modes := map[uint32]string{}
	rows, err := conn.Query(ctx, `SELECT relation, mode FROM pg_locks
		WHERE locktype = 'relation' AND pid = pg_backend_pid() AND granted AND relation = ANY($1)`, oids)
	if err != nil {
		return nil, fmt.Errorf("read pg_locks: %w", err)
	}
	for rows.Next() {
		var oid uint32
		var mode string
		if err := rows.Scan(&oid, &mode); err != nil {
			rows.Close()
			return nil, err
		}
		if checker.ParseLockMode(mode) > checker.ParseLockMode(modes[oid]) {
			modes[oid] = mode
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	after, err := relfilenodes(ctx, conn, oids)
	if err != nil {
		return nil, err
	}
	if err := execSimple(ctx, conn, "COMMIT"); err != nil {
		return nil, err
	}
	committed = true
	var out []MeasuredLock
	for oid, mode := range modes {
		l := MeasuredLock{Relation: prev.relName(oid), Mode: mode}
		if b, ok := before[oid]; ok && b != 0 && after[oid] != b {
			l.Rewrote = true
		}
		out = append(out, l)
	}
	for oid, b := range before { // a rewrite whose lock pg_locks no longer shows
		if _, locked := modes[oid]; !locked && b != 0 && after[oid] != 0 && after[oid] != b {
			out = append(out, MeasuredLock{Relation: prev.relName(oid), Mode: "", Rewrote: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Relation < out[j].Relation })
	return out, nil
}

func relfilenodes(ctx context.Context, conn *pgx.Conn, oids []uint32) (map[uint32]uint32, error) {
	rows, err := conn.Query(ctx, `SELECT oid, relfilenode FROM pg_class WHERE oid = ANY($1)`, oids)
	if err != nil {
		return nil, fmt.Errorf("read pg_class: %w", err)
	}
	defer rows.Close()
	out := map[uint32]uint32{}
	for rows.Next() {
		var oid, node uint32
		if err := rows.Scan(&oid, &node); err != nil {
			return nil, err
		}
		out[oid] = node
	}
	return out, rows.Err()
}
