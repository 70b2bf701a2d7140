package checker

// MeasuredLock is a lock the runtime check measured a statement holding on
// a relation that existed before the change, as pg_locks names it.
type MeasuredLock struct {
	Relation string
	// Mode is the pg_locks mode (AccessExclusiveLock...); "" when only the
	// rewrite was seen.
	Mode string
	// Rewrote says the relation's relfilenode changed: its data was
	// rewritten.
	Rewrote bool
}

// Measurement is what the runtime check measured of one statement, beside
// what the static check predicted of it: the facts the runtime rules
// (their Runtime hooks) judge.
type Measurement struct {
	Predicted []Lock
	Measured  []MeasuredLock
}

// Runtime runs the runtime rules on the measurement of one statement of
// file. Rules that are off in the file report nothing.
func (o Options) Runtime(file string, m Measurement) []Finding {
	return o.run(file, func(r *Rule) []Finding {
		if r.Runtime == nil {
			return nil
		}
		return r.Runtime(&m)
	})
}
