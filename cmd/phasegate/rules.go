package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/phasegate/phasegate/checker"
	"github.com/phasegate/phasegate/report"
)

func runRules(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	markdown := fs.Bool("markdown", false, "print the full rule reference (docs/rules.md)")
	if _, err := parseInterspersed(fs, args); err != nil {
		return 0, err
	}
	if *markdown {
		return exitOK, report.RulesMarkdown(stdout, checker.Rules())
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
