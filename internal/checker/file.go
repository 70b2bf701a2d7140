package checker

import (
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// FileContext is what a file rule sees of a file once its statements are
// judged and replayed.
type FileContext struct {
	File *sqltext.File
	Path string
	// Result is the file's verdict so far: the findings of its statements
	// (a file rule may add to their messages) and those of the rules run
	// before it.
	Result *FileResult
	// Unjudged are the operations of the migration phasegate cannot see
	// into (Input.Unjudged).
	Unjudged []Unjudged
	// Header is what is wrong with the header of a deferred migration
	// (Input.Header).
	Header *deferred.Error
	// Directives are the directives applied to the judged statements, in
	// order, with what each did: a statement's ignore directives, then its
	// phase directive (the last, when it has several).
	Directives []DirectiveUse
	// sess is the session as the file's last statement left it.
	sess *session
	// rule is the rule whose hook the engine calls.
	rule *Rule
}

// DirectiveUse is a phasegate directive of a judged statement and what it
// did to the statement's verdict.
type DirectiveUse struct {
	*sqltext.Directive
	// Dropped counts, for each rule id of an ignore directive that names a
	// rule, the findings of the statement it dropped.
	Dropped map[string]int
	// Phase is the phase the statement's findings gave it, before a phase
	// directive.
	Phase Phase
}

// directivePhase is the phase a phasegate:phase directive sets.
func directivePhase(d *sqltext.Directive) Phase {
	if d.Phase == "contract" {
		return Contract
	}
	return Expand
}
