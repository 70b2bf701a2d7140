package fakegithub

import "strings"

// A pull request's diff decides where review comments may go: on the new
// side of a file, only the lines its diff shows (the changed lines and up
// to three lines of context around each change), and a comment that spans
// lines must stay within one hunk. GitHub answers 422 otherwise.

// diffContext is how many unchanged lines a hunk shows around a change, as
// git diff does by default.
const diffContext = 3

// fileLines splits a file's content into lines; a final newline ends the
// last line rather than starting another.
func fileLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// hunks returns, for each line of the new version of a file (1-based), the
// hunk that shows it (numbered from 1), or 0 for lines the diff from the
// old version does not show. A new file shows every line, in one hunk.
func hunks(old, new string) []int {
	a, b := fileLines(old), fileLines(new)
	shown := make([]bool, len(b)+2) // 1-based, with room past the end
	// A longest common subsequence of lines; what it leaves out changed.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	mark := func(from, to int) { // new lines from..to, clamped
		for l := max(from, 1); l <= min(to, len(b)); l++ {
			shown[l] = true
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			// b[j] (new line j+1) was added.
			mark(j+1-diffContext, j+1+diffContext)
			j++
		default:
			// a[i] was removed between new lines j and j+1.
			mark(j+1-diffContext, j+diffContext)
			i++
		}
	}
	out := make([]int, len(b)+1)
	hunk := 0
	for l := 1; l <= len(b); l++ {
		if shown[l] {
			if !shown[l-1] {
				hunk++
			}
			out[l] = hunk
		}
	}
	return out
}
