package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkCut checks what truncate made of md at limit: never longer than
// limit, valid UTF-8 when md is, md itself when it fits, else a prefix of
// md that ends a line outside every code fence and <details> block,
// followed by the note.
func checkCut(t *testing.T, md string, limit int) {
	t.Helper()
	got := truncate(md, limit)
	switch {
	case len(md) <= limit:
		if got != md {
			t.Fatalf("limit %d: a text that fits was changed", limit)
		}
		return
	case len(got) > limit:
		t.Fatalf("limit %d: %d bytes", limit, len(got))
	case utf8.ValidString(md) && !utf8.ValidString(got):
		t.Fatalf("limit %d: cut inside a character: %q", limit, tail(got))
	}
	kept, ok := strings.CutSuffix(got, cutNote)
	if !ok {
		if len(cutNote) <= limit || !strings.HasPrefix(cutNote, got) {
			t.Fatalf("limit %d: the cut text does not end with the note: %q", limit, tail(got))
		}
		return // the note alone, cut: nothing else fits
	}
	if !strings.HasPrefix(md, kept) || kept != "" && !strings.HasSuffix(kept, "\n") {
		t.Fatalf("limit %d: the kept text is not whole lines of the comment: %q", limit, tail(kept))
	}
	fences, details := 0, 0
	for _, line := range strings.SplitAfter(kept, "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			fences++
		case fences%2 == 1:
		case strings.HasPrefix(line, "<details"):
			details++
		case strings.HasPrefix(line, "</details>"):
			details--
		}
	}
	if fences%2 != 0 || details > 0 {
		t.Fatalf("limit %d: cut inside a code fence (%d fence lines) or a <details> (%d open): %q", limit, fences, details, tail(kept))
	}
}

func tail(s string) string {
	if len(s) > 200 {
		return "…" + s[len(s)-200:]
	}
	return s
}

// goldenComments are the comments of testdata/comment, the seeds.
func goldenComments(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(testdataDir, "comment", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden comments: %v", err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestTruncateEveryLimit cuts each golden comment at every limit up to its
// length: the emoji, code fences and <details> of real comments.
func TestTruncateEveryLimit(t *testing.T) {
	for _, md := range goldenComments(t) {
		for limit := 1; limit <= len(md)+1; limit++ {
			checkCut(t, md, limit)
		}
	}
}

// FuzzTruncate: go test ./internal/report -run XXX -fuzz FuzzTruncate. Seeds are
// the golden comments, at a few limits.
func FuzzTruncate(f *testing.F) {
	for _, md := range goldenComments(f) {
		for _, limit := range []int{1, 90, len(md) / 3, len(md) / 2, len(md) - 1} {
			f.Add(md, limit)
		}
	}
	f.Fuzz(func(t *testing.T, md string, limit int) {
		if limit < 1 {
			return // 0 means no bound; Markdown never cuts then
		}
		checkCut(t, md, limit)
	})
}
