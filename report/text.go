package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
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
	s := r.Summary
	verdict := paint(bold, "ok")
	if r.Result == "fail" {
		verdict = paint(red+bold, "FAIL")
	}
	fmt.Fprintf(&b, "phasegate: %s: %s, %s: %d expand, %d contract, %d unknown; %s, %s, %d info\n",
		verdict, plural(s.Files, "file"), plural(s.Statements, "statement"), s.Expand, s.Contract, s.Unknown,
		plural(s.Errors+len(r.Errors), "error"), plural(s.Warnings, "warning"), s.Infos)
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
