package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/report"
)

// postSuggestions posts the report's one-click fixes on pull request pr,
// on its head commit: those whose lines the file at head still holds as
// the check read them (the check may have run on a merge commit, or the
// report come from elsewhere), each shown once (github.UpsertSuggestions).
// With none left, the suggestions no longer wanted are taken down.
func postSuggestions(ctx context.Context, client *github.Client, rep *report.Report, pr int, head string, run github.Run, stderr io.Writer) error {
	files := map[string][]string{}
	var want []github.Suggestion
	stale := 0
	for _, s := range report.Suggestions(rep) {
		lines, read := files[s.Path]
		if !read {
			content, ok, err := client.FileAt(ctx, s.Path, head)
			if err != nil {
				return err
			}
			if ok {
				lines = strings.Split(content, "\n")
			}
			files[s.Path] = lines
		}
		if s.EndLine > len(lines) || strings.Join(lines[s.Line-1:s.EndLine], "\n") != s.Old {
			stale++
			continue
		}
		g := github.Suggestion{Path: s.Path, Line: s.EndLine, ID: s.Rule, Body: s.Body}
		if s.EndLine > s.Line {
			g.StartLine = s.Line
		}
		want = append(want, g)
	}
	if stale > 0 {
		fmt.Fprintf(stderr, "phasegate: %d one-click %s not posted: the file at %s does not hold the lines the check read\n", stale, plural(stale, "fix", "fixes"), shortSHA(head))
	}
	res, err := client.UpsertSuggestions(ctx, pr, head, want, run)
	if err != nil {
		return err
	}
	switch {
	case res.Action == "skipped":
		fmt.Fprintf(stderr, "phasegate: one-click fixes not posted: pull request #%d has moved on from %s\n", pr, shortSHA(head))
	case res.Posted+res.Edited+res.Deleted+res.Held > 0:
		fmt.Fprintf(stderr, "phasegate: one-click fixes: %d posted, %d kept, %d edited, %d taken down", res.Posted, res.Kept, res.Edited, res.Deleted)
		if res.Held > 0 {
			fmt.Fprintf(stderr, ", %d held back (this commit has its review already; the next push posts them)", res.Held)
		}
		if res.URL != "" {
			fmt.Fprintf(stderr, ": %s", res.URL)
		}
		fmt.Fprintln(stderr)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
