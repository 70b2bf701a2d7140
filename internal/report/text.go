package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/phasegate/phasegate/internal/compat"
)

// TextOptions control the text rendering.
type TextOptions struct {
	// Color adds ANSI colours (only for terminals).
	Color bool
}

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

// Text writes the report in compiler style: one line per finding,
// path:line:col: phase/rule: severity: message, then its fix indented, then
// a summary line.
func Text(w io.Writer, r *Report, opts TextOptions) error {
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + reset
	}
	sevColor := map[string]string{"error": red, "warning": yellow, "info": cyan}
	var b strings.Builder
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "%s: %s %s\n", location(e.Path, e.Line, e.Column), paint(red, "error:"), e.Message)
	}
	type entry struct {
		line, col int
		phase     string
		f         Finding
	}
	for _, f := range r.Files {
		// File findings and statement findings, in line order.
		var entries []entry
		for _, fd := range f.Findings {
			entries = append(entries, entry{fd.Line, fd.Column, "", fd})
		}
		for _, st := range f.Statements {
			for _, fd := range st.Findings {
				e := entry{st.Line, st.Column, st.Phase, fd}
				if fd.Line > 0 {
					e.line, e.col = fd.Line, fd.Column
				}
				entries = append(entries, e)
			}
		}
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].line < entries[j].line })
		for _, e := range entries {
			label := e.f.Rule
			if e.phase != "" {
				label = e.phase + "/" + e.f.Rule
			}
			fmt.Fprintf(&b, "%s: %s: %s %s\n", location(f.Path, e.line, e.col), paint(bold, label), paint(sevColor[e.f.Severity], e.f.Severity+":"), e.f.Message)
			for i, l := range strings.Split(strings.TrimSpace(e.f.Fix), "\n") {
				prefix := "    fix: "
				if i > 0 {
					prefix = "         "
				}
				fmt.Fprintf(&b, "%s%s\n", paint(dim, prefix), l)
			}
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "%s: %s %s\n", n.Where, paint(dim, "note:"), n.Message)
	}
	if rt := r.Runtime; rt != nil {
		var about []string
		if prev := rt.Previous; prev != "" {
			if !strings.Contains(prev, shortSHA(rt.PreviousCommit)) {
				prev += " (" + shortSHA(rt.PreviousCommit) + ")"
			}
			about = append(about, "the previous release is "+prev)
		}
		if rt.Server != "" {
			about = append(about, "PostgreSQL "+rt.Server)
		}
		b.WriteString("\nruntime check:")
		if len(about) > 0 {
			b.WriteString(" " + strings.Join(about, ", "))
		}
		b.WriteString("\n")
		if m := r.versionMismatch(); m != "" {
			fmt.Fprintf(&b, "  %s %s\n", paint(yellow, "note:"), m)
		}
		if rt.Error != "" {
			fmt.Fprintf(&b, "  %s the runtime check did not finish: %s\n", paint(red, "error:"), rt.Error)
			fmt.Fprintf(&b, "    %s\n", RuntimeErrorHelp)
		}
		if rt.MigrationError != "" {
			fmt.Fprintf(&b, "  %s the new migrations failed: %s\n", paint(red, "error:"), rt.MigrationError)
		}
		statusColor := map[string]string{"pass": "", "fail": red, "error": red, "skipped": dim}
		for _, sc := range r.Scenarios {
			status := strings.ToUpper(sc.Status)
			if sc.Status == "pass" || sc.Status == "skipped" {
				status = sc.Status
			}
			line := fmt.Sprintf("  %-15s %s", sc.Name, paint(statusColor[sc.Status], fmt.Sprintf("%-7s", status)))
			if sc.Status != "skipped" && sc.DurationMS > 0 {
				line += fmt.Sprintf(" %6.1fs", float64(sc.DurationMS)/1000)
			}
			if sc.Reason != "" {
				line += "  " + sc.Reason
			}
			b.WriteString(line + "\n")
			for _, c := range sc.Implicated {
				if c.Change == "missing" {
					fmt.Fprintf(&b, "      the new code needs %s, which only the deferred migration%s provides: it is not there until the contract runs\n", c.Object, where(c.Where))
					continue
				}
				fmt.Fprintf(&b, "      the previous release still uses %s, %s%s\n", c.Object, describe(c), where(c.Where))
			}
			testsText(&b, sc, paint)
			if sc.Status == "fail" || sc.Status == "error" {
				for _, l := range strings.Split(lastN(sc.OutputTail, 15), "\n") {
					if l != "" {
						fmt.Fprintf(&b, "      %s %s\n", paint(dim, "|"), l)
					}
				}
			}
		}
		if len(rt.Changes) > 0 {
			b.WriteString("  the new migrations remove, rename or narrow:\n")
			for _, c := range rt.Changes {
				fmt.Fprintf(&b, "    %s: %s%s\n", kindObject(c), describe(c), where(c.Where))
				if w := coverageWords(c); w != "" {
					color := ""
					if !c.Coverage.Proven() {
						color = yellow
					}
					fmt.Fprintf(&b, "      %s\n", paint(color, w))
				}
			}
		}
		if p := rt.Proof; p != nil {
			fmt.Fprintf(&b, "  proof: %s\n", proofWords(p))
			for _, u := range p.UnresolvedExamples {
				fmt.Fprintf(&b, "    %s %d× %s (%s)\n", paint(dim, "unresolved:"), u.Count, u.SQL, u.Why)
			}
			for _, pr := range p.Problems {
				fmt.Fprintf(&b, "    %s %s\n", paint(dim, "proxy:"), pr)
			}
			if p.Vacuous != "" {
				fmt.Fprintf(&b, "  %s %s\n    fix: %s\n", paint(red, "vacuous proof:"), p.Vacuous, compat.VacuousFix)
			}
		}
		fmt.Fprintf(&b, "  verdict: %s\n", paint(bold, r.runtimeVerdict()))
	}
	s := r.Summary
	verdict := paint(bold, "ok")
	if r.Result == "fail" {
		verdict = paint(red+bold, "FAIL")
	}
	deferred := ""
	if s.Deferred > 0 {
		deferred = fmt.Sprintf(", %d deferred", s.Deferred)
	}
	fmt.Fprintf(&b, "phasegate: %s: %s, %s: %d expand, %d contract, %d unknown%s; %s, %s, %d info\n",
		verdict, plural(s.Files, "file"), plural(s.Statements, "statement"), s.Expand, s.Contract, s.Unknown, deferred,
		plural(s.Errors, "error"), plural(s.Warnings, "warning"), s.Infos)
	_, err := io.WriteString(w, b.String())
	return err
}

func location(path string, line, col int) string {
	if line == 0 {
		return path
	}
	return fmt.Sprintf("%s:%d:%d", path, line, col)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// describe says what a change did, in words.
func describe(c compat.Change) string {
	if strings.HasPrefix(c.Detail, c.Change+" ") {
		return c.Detail // "renamed to customers", not "renamed (renamed to customers)"
	}
	if c.Detail != "" {
		return c.Change + " (" + c.Detail + ")"
	}
	return c.Change
}

func where(w string) string {
	if w == "" {
		return ""
	}
	return " in " + w
}

func lastN(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// kindObject names a changed object with its kind once: "column
// users.name", "function touch(integer)".
func kindObject(c compat.Change) string { return c.Kind + " " + bareObject(c) }

// bareObject is the object's name without its kind, which some objects'
// names start with ("function touch(integer)").
func bareObject(c compat.Change) string { return strings.TrimPrefix(c.Object, c.Kind+" ") }
