package checker

var lockDisagreement = register(&Rule{
	ID:       "lock-disagreement",
	Category: Locking, Severity: Warning,
	Summary: "a lock measured on a real database that differs from the lock phasegate predicted (runtime check only)",
	Why:     "the static verdict was based on the predicted lock; a stronger measured lock means the statement blocks more than the static findings say",
	Fix:     "read the measured lock as the truth for this statement; if phasegate's prediction was wrong, report it with the statement",
	Notes: `The runtime check applies each new statement on a clone of the previous schema inside a transaction
and reads pg_locks for the locks it holds on relations that existed before, and whether their relfilenode
changed (a rewrite). It is reported when the strongest measured mode on a relation differs from the
predicted one, or a rewrite happened that was not predicted (or the reverse).`,
})
