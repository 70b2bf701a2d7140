package followup

import (
	"fmt"
	"strings"
)

// Text renders the outcomes for the terminal.
func Text(outs []Outcome, dryRun bool) string {
	var b strings.Builder
	if len(outs) == 0 {
		b.WriteString("phasegate followup: no deferred contract migration\n")
		return b.String()
	}
	for _, o := range outs {
		fmt.Fprintf(&b, "%s: %s", o.Deferred, o.Action)
		if o.Target != "" {
			fmt.Fprintf(&b, " → %s", o.Target)
		}
		if o.PR != "" {
			fmt.Fprintf(&b, " (%s)", o.PR)
		}
		if o.Reason != "" {
			fmt.Fprintf(&b, ": %s", o.Reason)
		}
		b.WriteString("\n")
	}
	if dryRun {
		b.WriteString("(dry run: nothing was written)\n")
	}
	return b.String()
}

// Markdown renders the outcomes for the job summary.
func Markdown(outs []Outcome, dryRun bool) string {
	var b strings.Builder
	b.WriteString("### phasegate followup\n\n")
	if dryRun {
		b.WriteString("Dry run: nothing was written.\n\n")
	}
	if len(outs) == 0 {
		b.WriteString("No deferred contract migration.\n")
		return b.String()
	}
	b.WriteString("| deferred migration | action | moves to | pull request | why |\n|---|---|---|---|---|\n")
	for _, o := range outs {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", o.Deferred, o.Action, code(o.Target), o.PR, strings.ReplaceAll(o.Reason, "|", "\\|"))
	}
	return b.String()
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}
