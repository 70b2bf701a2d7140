package sqltext

import (
	"fmt"
	"strings"
)

// DirectiveKind is what a directive asks for.
type DirectiveKind int

const (
	// Ignore silences findings of the listed rules on one statement.
	Ignore DirectiveKind = iota + 1
	// SetPhase overrides the phase phasegate assigns to one statement.
	SetPhase
)

func (k DirectiveKind) String() string {
	switch k {
	case Ignore:
		return "ignore"
	case SetPhase:
		return "phase"
	}
	return "unknown"
}

// Directive is a phasegate instruction written in a SQL comment on the
// line(s) before a statement, or at the end of the statement's last line.
type Directive struct {
	Kind   DirectiveKind
	Rules  []string // Ignore: rule ids, as written
	Phase  string   // SetPhase: "expand" or "contract"
	Reason string
	Pos    Position
	// Stmt is the statement the directive applies to; nil if none follows.
	Stmt *Statement
}

const directivePrefix = "phasegate:"

// parseDirective reads the body of a comment. It returns nil and no problem
// for ordinary comments, and a problem for a malformed directive.
func parseDirective(body string) (*Directive, string) {
	body = strings.TrimSpace(body)
	if len(body) < len(directivePrefix) || !strings.EqualFold(body[:len(directivePrefix)], directivePrefix) {
		return nil, ""
	}
	fields := strings.Fields(body[len(directivePrefix):])
	if len(fields) == 0 {
		return nil, "empty phasegate directive; write -- phasegate:ignore RULE reason or -- phasegate:phase expand|contract reason"
	}
	verb := strings.ToLower(fields[0])
	args := fields[1:]
	switch verb {
	case "deferred":
		return nil, "" // the header of a deferred migration (package deferred)
	case "ignore":
		if len(args) == 0 {
			return nil, "phasegate:ignore needs the rule ids and a reason, e.g. -- phasegate:ignore drop-column the column was unused since v1.4"
		}
		rules := strings.Split(args[0], ",")
		for _, r := range rules {
			if r == "" {
				return nil, fmt.Sprintf("phasegate:ignore: empty rule id in %q; separate rule ids with commas, no spaces", args[0])
			}
		}
		if len(args) < 2 {
			return nil, fmt.Sprintf("phasegate:ignore %s needs a reason after the rule ids, e.g. -- phasegate:ignore %s the table is empty in production", args[0], args[0])
		}
		return &Directive{Kind: Ignore, Rules: rules, Reason: strings.Join(args[1:], " ")}, ""
	case "phase":
		if len(args) == 0 {
			return nil, "phasegate:phase needs a phase (expand or contract) and a reason"
		}
		phase := strings.ToLower(args[0])
		if phase != "expand" && phase != "contract" {
			return nil, fmt.Sprintf("phasegate:phase %s: the phase must be expand or contract", args[0])
		}
		if len(args) < 2 {
			return nil, fmt.Sprintf("phasegate:phase %s needs a reason, e.g. -- phasegate:phase %s the previous release never reads this table", phase, phase)
		}
		return &Directive{Kind: SetPhase, Phase: phase, Reason: strings.Join(args[1:], " ")}, ""
	}
	return nil, fmt.Sprintf("unknown directive phasegate:%s; the directives are phasegate:ignore and phasegate:phase", fields[0])
}
