package checker

import "sort"

var lockDisagreement = &Rule{
	ID:       "lock-disagreement",
	Category: Locking, Severity: Warning,
	Summary: "a lock measured on a real database that differs from the lock phasegate predicted (runtime check only)",
	Why:     "the static verdict was based on the predicted lock; a stronger measured lock means the statement blocks more than the static findings say",
	Fix:     "read the measured lock as the truth for this statement; if phasegate's prediction was wrong, report it, with the statement and the PostgreSQL version, at https://github.com/phasegate/phasegate/issues",
	Notes: `The runtime check applies each new statement on a clone of the previous schema inside a transaction
and reads pg_locks for the locks it holds on relations that existed before, and whether their relfilenode
changed (a rewrite). It is reported when the strongest measured mode on a relation differs from the
predicted one, or a rewrite happened that was not predicted (or the reverse). A table the migration history
does not define is assumed to exist, so a lock on it is predicted that the database may not take. The
examples' measured locks are what PostgreSQL 15 takes (a test measures them again).`,
	Examples: []Example{
		{SQL: "COMMENT ON TABLE users IS 'people who sign in';", Measured: []MeasuredLock{{Relation: "users", Mode: "ShareUpdateExclusiveLock"}}, Flagged: true},
		{SQL: "CREATE STATISTICS users_org_status ON org_id, status FROM users;", Measured: []MeasuredLock{{Relation: "users", Mode: "ShareUpdateExclusiveLock"}}, Flagged: true},
		{SQL: "DROP TABLE IF EXISTS old_sessions;", Measured: []MeasuredLock{}, Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;", Measured: []MeasuredLock{{Relation: "users", Mode: "AccessExclusiveLock"}}},
		{SQL: "ALTER TABLE events ALTER COLUMN kind TYPE bigint;", Measured: []MeasuredLock{{Relation: "events", Mode: "AccessExclusiveLock", Rewrote: true}}},
		{SQL: "SELECT count(*) FROM users;", Measured: []MeasuredLock{{Relation: "users", Mode: "AccessShareLock"}}},
	},
	Runtime: func(m *Measurement) []Finding {
		pred := map[string]Lock{}
		for _, l := range m.Predicted {
			pred[l.Relation.String()] = l
		}
		var msgs []string
		seen := map[string]bool{}
		for _, l := range m.Measured {
			seen[l.Relation] = true
			p, ok := pred[l.Relation]
			mode := ParseLockMode(l.Mode)
			switch {
			case !ok && mode > AccessShare:
				msgs = append(msgs, "measured "+l.Mode+" on "+l.Relation+", which phasegate did not predict")
			case ok && mode != NoLock && mode != p.Mode:
				msgs = append(msgs, "measured "+l.Mode+" on "+l.Relation+", phasegate predicted "+p.Mode.String())
			}
			if ok && l.Rewrote && !p.Rewrite {
				msgs = append(msgs, l.Relation+" was rewritten, which phasegate did not predict")
			}
			if ok && !l.Rewrote && p.Rewrite {
				msgs = append(msgs, "phasegate predicted a rewrite of "+l.Relation+", which did not happen")
			}
		}
		for rel, p := range pred {
			if !seen[rel] && p.Mode > AccessShare {
				msgs = append(msgs, "phasegate predicted "+p.Mode.String()+" on "+rel+", which was not taken")
			}
		}
		sort.Strings(msgs) // the same order on every run
		out := make([]Finding, len(msgs))
		for i, msg := range msgs {
			out[i] = Finding{Message: msg}
		}
		return out
	},
}
