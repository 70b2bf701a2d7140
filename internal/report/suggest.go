package report

import (
	"fmt"
	"sort"
	"strings"
)

// Suggestion is a one-click fix: the edit of a finding, as the body of a
// pull request review comment on lines Line to EndLine of Path, whose
// suggestion block GitHub applies with one click.
type Suggestion struct {
	Path          string
	Line, EndLine int
	Rule          string
	// Old is what the lines held when the file was checked: whoever posts
	// the suggestion first checks the file at the pull request's head
	// still says that.
	Old  string
	Body string
}

// Suggestions returns the report's one-click fixes: the edits of findings
// in files the change adds (every line of an added file is on the pull
// request's diff, where a review comment must sit), one per line range:
// when two edits overlap, the first finding's stands (the more severe: a
// statement's findings are sorted by severity), as applying one changes
// the lines the other would replace.
func Suggestions(r *Report) []Suggestion {
	var out []Suggestion
	for _, f := range r.Files {
		if f.Status != "added" || strings.Contains(f.Path, "-->") {
			continue
		}
		var taken [][2]int
		add := func(fd Finding) {
			e := fd.Edit
			if e == nil || e.Line < 1 || e.EndLine < e.Line {
				return
			}
			for _, t := range taken {
				if e.Line <= t[1] && t[0] <= e.EndLine {
					return
				}
			}
			taken = append(taken, [2]int{e.Line, e.EndLine})
			out = append(out, Suggestion{Path: f.Path, Line: e.Line, EndLine: e.EndLine, Rule: fd.Rule, Old: e.Old, Body: suggestionBody(fd)})
		}
		for _, st := range f.Statements {
			for _, fd := range st.Findings {
				add(fd)
			}
		}
		for _, fd := range f.Findings {
			add(fd)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// suggestionBody is the comment: the finding, and its edit in a
// suggestion block, fenced with more backticks than the edit holds.
func suggestionBody(fd Finding) string {
	fence := "```"
	for strings.Contains(fd.Edit.New, fence) {
		fence += "`"
	}
	return fmt.Sprintf("%s **`%s`** (%s): %s\n\n%ssuggestion\n%s\n%s\n\n<sub>Applying it fixes this finding: phasegate checked that the rewrite is right in this file, for its migration tool. The full report is in phasegate's comment.</sub>\n",
		sevIcon[fd.Severity], fd.Rule, fd.Severity, fd.Message, fence, fd.Edit.New, fence)
}
