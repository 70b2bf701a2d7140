package checker

import (
	"fmt"
	"strings"

	"github.com/phasegate/phasegate/sqltext"
)

// verdict applies a statement's directives to its findings and gives its
// phase.
func (c *Checker) verdict(s *sqltext.Statement, file string, res *FileResult, findings []Finding, locks []Lock) StatementResult {
	// The text is copied so that results do not keep whole files alive.
	out := StatementResult{Pos: s.Pos, EndPos: s.EndPos, SQL: strings.Clone(s.Text), Locks: locks}
	// Directives: ignore drops findings; phase overrides the verdict.
	var phaseDirective *sqltext.Directive
	for _, d := range s.Directives {
		pos := d.Pos
		switch d.Kind {
		case sqltext.Ignore:
			for _, id := range d.Rules {
				if Lookup(id) == nil {
					res.Findings = append(res.Findings, c.finding(invalidDirective, file,
						fmt.Sprintf("phasegate:ignore names unknown rule %q (see docs/rules.md for the rule ids)", id), &pos))
					continue
				}
				n := len(findings)
				findings = dropRule(findings, id)
				if n == len(findings) {
					res.Findings = append(res.Findings, c.finding(unusedDirective, file,
						fmt.Sprintf("phasegate:ignore %s: the statement has no %s finding to ignore; remove the directive", id, id), &pos))
				}
			}
		case sqltext.SetPhase:
			phaseDirective = d
		}
	}
	for _, f := range findings {
		if f.Rule.Category == Compatibility && f.Rule.Phase > out.Phase {
			out.Phase = f.Rule.Phase
		}
	}
	if d := phaseDirective; d != nil {
		want := Expand
		if d.Phase == "contract" {
			want = Contract
		}
		pos := d.Pos
		if want == out.Phase {
			res.Findings = append(res.Findings, c.finding(unusedDirective, file,
				fmt.Sprintf("phasegate:phase %s: the statement is %s already; remove the directive", d.Phase, d.Phase), &pos))
		} else {
			out.Phase = want
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
	return out
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
