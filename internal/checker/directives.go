package checker

import (
	"fmt"
	"strings"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// verdict applies a statement's directives to its findings and gives its
// phase: phasegate:ignore drops the findings of the rules it names,
// phasegate:phase overrides the phase the findings give. It returns what
// each directive did, for the directive rules (invalid-directive,
// unused-directive) to judge.
func verdict(s *sqltext.Statement, findings []Finding, locks []Lock) (StatementResult, []DirectiveUse) {
	// The text is copied so that results do not keep whole files alive.
	out := StatementResult{Pos: s.Pos, EndPos: s.EndPos, SQL: strings.Clone(s.Text), Locks: locks}
	var uses []DirectiveUse
	var phase *sqltext.Directive // of several, the last applies
	for _, d := range s.Directives {
		switch d.Kind {
		case sqltext.Ignore:
			use := DirectiveUse{Directive: d, Dropped: map[string]int{}}
			for _, id := range d.Rules {
				if Lookup(id) == nil {
					continue // invalid-directive reports it
				}
				n := len(findings)
				findings = dropRule(findings, id)
				use.Dropped[id] += n - len(findings)
			}
			uses = append(uses, use)
		case sqltext.SetPhase:
			phase = d
		}
	}
	for _, f := range findings {
		if f.Rule.Category == Compatibility && f.Rule.Phase > out.Phase {
			out.Phase = f.Rule.Phase
		}
	}
	if d := phase; d != nil {
		uses = append(uses, DirectiveUse{Directive: d, Phase: out.Phase})
		if directivePhase(d) != out.Phase {
			out.Phase = directivePhase(d)
			out.PhaseDirective = d.Reason
			for i := range findings {
				if findings[i].Rule.Category == Compatibility {
					findings[i].Severity = Info
					findings[i].Message += fmt.Sprintf(" (phase set to %s at line %d: %s)", d.Phase, d.Pos.Line, d.Reason)
				}
			}
		}
	}
	oneFixPerConstraint(findings)
	out.Findings = findings
	return out, uses
}

func dropRule(fs []Finding, id string) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if f.Rule.ID != id {
			out = append(out, f)
		}
	}
	return out
}
