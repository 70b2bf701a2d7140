package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/phasegate/phasegate/checker"
)

// RulesTable renders the rule table of README.md: one row per rule,
// linking to docs/rules.md.
func RulesTable(w io.Writer, rules []*checker.Rule, docPath string) error {
	var b strings.Builder
	b.WriteString("| rule | category | default | flags |\n|---|---|---|---|\n")
	for _, r := range rules {
		cat := r.Category.String()
		if r.Category == checker.Compatibility {
			if r.Phase == checker.Expand {
				cat += " (advisory)"
			} else {
				cat += " → " + r.Phase.String()
			}
		}
		fmt.Fprintf(&b, "| [`%s`](%s#%s) | %s | %s | %s |\n", r.ID, docPath, r.ID, cat, r.Severity, escapeCell(r.Summary))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RulesMarkdown renders the rule reference, docs/rules.md.
func RulesMarkdown(w io.Writer, rules []*checker.Rule) error {
	var b strings.Builder
	b.WriteString("# phasegate rules\n\n")
	b.WriteString("<!-- Generated from the rule data in checker/rule_*.go by `phasegate rules --markdown > docs/rules.md`; a test fails when this file drifts. -->\n\n")
	b.WriteString("Every finding names one of these rules. Compatibility rules decide a statement's phase: a finding of a\n")
	b.WriteString("contract (or unknown) rule makes the statement contract (or unknown). Locking rules report lock and\n")
	b.WriteString("rewrite hazards whatever the phase. Severities can be changed, or rules turned off, in the config\n")
	b.WriteString("(`rules:`), and silenced on one statement with `-- phasegate:ignore RULE reason`.\n\n")
	if err := RulesTable(&b, rules, ""); err != nil {
		return err
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s\n\n", r.ID)
		cat := r.Category.String()
		if r.Category == checker.Compatibility {
			if r.Phase == checker.Expand {
				cat += ", advisory (the statement stays expand)"
			} else {
				cat += ", makes the statement " + r.Phase.String()
			}
		}
		fmt.Fprintf(&b, "*Category:* %s. *Default severity:* %s.\n\n", cat, r.Severity)
		fmt.Fprintf(&b, "Flags %s.\n\n", lowerFirst(r.Summary))
		fmt.Fprintf(&b, "**Why.** %s.\n\n", upperFirst(strings.TrimSuffix(r.Why, ".")))
		fmt.Fprintf(&b, "**Safe alternative.**\n\n%s\n", r.Fix)
		if r.Notes != "" {
			fmt.Fprintf(&b, "\n**Notes.** %s\n", strings.ReplaceAll(r.Notes, "\n", " "))
		}
		var bad, good []checker.Example
		for _, ex := range r.Examples {
			if ex.Flagged {
				bad = append(bad, ex)
			} else {
				good = append(good, ex)
			}
		}
		writeExamples(&b, "Flagged", bad)
		writeExamples(&b, "Not flagged", good)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeExamples(b *strings.Builder, title string, exs []checker.Example) {
	if len(exs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n", title)
	for _, ex := range exs {
		b.WriteString("```sql\n")
		if ex.Version != 0 {
			fmt.Fprintf(b, "-- on PostgreSQL %d\n", ex.Version)
		}
		if ex.Base != "" {
			fmt.Fprintf(b, "-- production schema:\n-- %s\n", strings.ReplaceAll(ex.Base, "\n", "\n-- "))
		}
		b.WriteString(ex.SQL)
		b.WriteString("\n```\n")
	}
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func lowerFirst(s string) string {
	if s == "" || strings.ToUpper(s[:1]) == s[:1] && len(s) > 1 && strings.ToUpper(s[1:2]) == s[1:2] {
		return s // an acronym such as "DROP TABLE ..."
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
