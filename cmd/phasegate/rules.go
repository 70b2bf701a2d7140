package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/report"
	"github.com/phasegate/phasegate/internal/spell"
)

func runRules(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("rules")
	markdown := fs.Bool("markdown", false, "print the rule reference as Markdown (docs/rules.md); with rule ids, only theirs")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	var rules []*checker.Rule
	for _, id := range ids {
		r := checker.Lookup(id)
		if r == nil {
			var names []string
			for _, r := range checker.Rules() {
				names = append(names, r.ID)
			}
			return 0, usagef("unknown rule %q%s ('phasegate rules' lists them)", id, spell.DidYouMean(id, names, "%s"))
		}
		rules = append(rules, r)
	}
	switch {
	case *markdown && len(rules) == 0:
		return exitOK, report.RulesMarkdown(stdout, checker.Rules())
	case *markdown:
		return exitOK, report.RuleSections(stdout, rules)
	case len(rules) > 0:
		for i, r := range rules {
			if i > 0 {
				io.WriteString(stdout, "\n"+strings.Repeat("-", 100)+"\n\n")
			}
			if err := report.RuleText(stdout, r); err != nil {
				return 0, err
			}
		}
		return exitOK, nil
	}
	for _, r := range checker.Rules() {
		phase := ""
		if r.Category == checker.Compatibility {
			phase = r.Phase.String()
		}
		fmt.Fprintf(stdout, "%-34s %-13s %-8s %-8s %s\n", r.ID, r.Category, r.Severity, phase, r.Summary)
	}
	return exitOK, nil
}
