package capture

import (
	"strings"
	"unicode/utf8"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// Split returns the statements that ran, one SQL statement each, in the
// same order. A simple-protocol Query holding several statements becomes
// one Statement per statement (same Seq, Conn and Application), its SQL
// the statement's text without the ';', its Tags the one tag the server
// sent for it. When such a Query failed, the server had completed
// len(Tags) of its statements: the next one gets the error (Position made
// relative to its own text), and the ones after it are left out, since
// they never ran. When it is Pending, the statements without a tag are
// Pending. Skipped statements and queries holding no statement (only
// comments) are left out. A statement PostgreSQL's parser (pg_query)
// rejects stays whole: the server rejected it too.
//
// Split also sets RolledBack (see Statement) by following each session's
// transactions.
func Split(stmts []Statement) []Statement {
	var out []Statement
	var txs []*pg.TransactionStmt // out[i]'s, when it is transaction control
	for _, s := range stmts {
		if s.Skipped {
			continue
		}
		res, err := pg.Parse(s.SQL)
		if err != nil || s.Extended && len(res.Stmts) != 1 {
			out = append(out, s.clone())
			txs = append(txs, nil)
			continue
		}
		n := len(res.Stmts)
		failAt := len(s.Tags)
		if failAt >= n {
			failAt = n - 1 // the implicit transaction's commit failed
		}
		for i, raw := range res.Stmts {
			if s.Failed && i > failAt {
				break
			}
			text, offset := stmtText(s.SQL, raw)
			sub := s.clone()
			sub.SQL = text
			if n == 1 {
				sub.Tags = append([]string(nil), s.Tags...)
			} else {
				sub.Tags = nil
				if i < len(s.Tags) {
					sub.Tags = []string{s.Tags[i]}
				}
			}
			sub.Failed, sub.Error, sub.Code, sub.Detail, sub.Position, sub.Pending = false, "", "", "", 0, false
			if s.Failed && i == failAt {
				sub.Failed, sub.Error, sub.Code, sub.Detail = true, s.Error, s.Code, s.Detail
				if pos := s.Position - offset; pos >= 1 && pos <= utf8.RuneCountInString(text) {
					sub.Position = pos
				}
			}
			if s.Pending && i >= len(s.Tags) {
				sub.Pending = true
			}
			out = append(out, sub)
			txs = append(txs, raw.Stmt.GetTransactionStmt())
		}
	}
	rollbacks(out, txs)
	return out
}

// rollbacks sets RolledBack on the statements whose effects a transaction
// undid: those of an explicit transaction block that ended in ROLLBACK, in
// a COMMIT of a failed transaction (which rolls back), or not at all (the
// session ended); those since a savepoint rolled back to; and those of a
// multi-statement simple Query, outside a block, that failed (its implicit
// transaction).
func rollbacks(out []Statement, txs []*pg.TransactionStmt) {
	type savepoint struct {
		name   string
		at     int
		failed bool
	}
	type block struct {
		open       bool
		start      int // the first statement after BEGIN
		failed     bool
		savepoints []savepoint
	}
	blocks := map[int]*block{}
	undo := func(conn, from, to int) {
		for i := from; i < to; i++ {
			if out[i].Conn == conn && !out[i].Failed {
				out[i].RolledBack = true
			}
		}
	}
	for i, s := range out {
		b := blocks[s.Conn]
		if b == nil {
			b = &block{}
			blocks[s.Conn] = b
		}
		tx := txs[i]
		if tx == nil {
			if !s.Failed {
				continue
			}
			if b.open {
				b.failed = true
				continue
			}
			// The implicit transaction of a failed multi-statement Query.
			from, inTx := i, false
			for from > 0 && !s.Extended && out[from-1].Seq == s.Seq && out[from-1].Conn == s.Conn {
				from--
				inTx = inTx || txs[from] != nil
			}
			if !inTx {
				undo(s.Conn, from, i)
			}
			continue
		}
		if s.Failed {
			if tx.Kind == pg.TransactionStmtKind_TRANS_STMT_COMMIT && b.open {
				undo(s.Conn, b.start, i) // the commit failed: all is rolled back
				*b = block{}
			}
			continue
		}
		switch tx.Kind {
		case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
			if !b.open {
				*b = block{open: true, start: i + 1}
			}
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
			if b.open && (tx.Kind == pg.TransactionStmtKind_TRANS_STMT_ROLLBACK || b.failed || len(s.Tags) == 1 && s.Tags[0] == "ROLLBACK") {
				undo(s.Conn, b.start, i)
			}
			*b = block{}
			if tx.Chain {
				*b = block{open: true, start: i + 1}
			}
		case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
			if b.open {
				b.savepoints = append(b.savepoints, savepoint{name: tx.SavepointName, at: i + 1, failed: b.failed})
			}
		case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO, pg.TransactionStmtKind_TRANS_STMT_RELEASE:
			for j := len(b.savepoints) - 1; j >= 0; j-- {
				sp := b.savepoints[j]
				if sp.name != tx.SavepointName {
					continue
				}
				if tx.Kind == pg.TransactionStmtKind_TRANS_STMT_RELEASE {
					b.savepoints = b.savepoints[:j]
				} else {
					undo(s.Conn, sp.at, i)
					b.failed = sp.failed
					b.savepoints = b.savepoints[:j+1]
				}
				break
			}
		case pg.TransactionStmtKind_TRANS_STMT_PREPARE:
			*b = block{}
		}
	}
	// A block still open when the capture ended: its session ended (or was
	// killed) without committing.
	for conn, b := range blocks {
		if b.open {
			undo(conn, b.start, len(out))
		}
	}
}

// stmtText returns a statement's text in sql, without surrounding spaces
// and its ';', and the number of characters of sql before it.
func stmtText(sql string, raw *pg.RawStmt) (string, int) {
	lo := int(raw.StmtLocation)
	if lo < 0 || lo > len(sql) {
		lo = 0
	}
	hi := len(sql)
	if raw.StmtLen > 0 && lo+int(raw.StmtLen) <= len(sql) {
		hi = lo + int(raw.StmtLen)
	}
	text := sql[lo:hi]
	trimmed := strings.TrimLeft(text, " \t\r\n\f\v")
	lo += len(text) - len(trimmed)
	trimmed = strings.TrimRight(strings.TrimRight(trimmed, " \t\r\n\f\v;"), " \t\r\n\f\v")
	return trimmed, utf8.RuneCountInString(sql[:lo])
}
