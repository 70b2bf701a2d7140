package checker

import "github.com/phasegate/phasegate/internal/source"

// History is what a change does to one migration's place in the history:
// the facts package change reads from git, for the history rules (their
// History hooks) to judge.
type History struct {
	Migration source.Migration
	// Edited says the change edits a migration that exists on the base
	// branch. For a Liquibase changelog it means a changeset the base had
	// changed: appending changesets is how Liquibase is used.
	Edited bool
	// Changelog says the migration is a changelog of changesets, whose
	// tool checks the checksums of the applied ones (Liquibase).
	Changelog bool
	// OutOfOrder is set for a new migration whose version sorts before a
	// migration that exists, when its tool mishandles that.
	OutOfOrder *OutOfOrder
	// Removed says the change deletes (or renames) a migration that exists
	// on the base branch.
	Removed bool
}

// OutOfOrder is a new migration that sorts before an existing one.
type OutOfOrder struct {
	// Existing is the path of the last existing migration it sorts before.
	Existing string
	// Effect says what the migration tool does with it.
	Effect string
}

// History runs the history rules on what the change does to one
// migration. Rules that are off in the migration's file report nothing.
func (c *Checker) History(h History) []Finding {
	return c.opts.run(h.Migration.Path, func(r *Rule) []Finding {
		if r.History == nil {
			return nil
		}
		return r.History(&h)
	})
}
