package spell

import (
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	names := []string{"check", "classify", "split", "followup", "comment", "rules", "version", "help"}
	for in, want := range map[string]string{
		"chek": "check", "clasify": "classify", "folowup": "followup", "rule": "rules", "verison": "version",
		"xyz": "", "coment": "comment",
	} {
		got := strings.Join(Nearest(in, names), ",")
		if got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Nearest("Timeout", []string{"missing-lock-timeout", "rules"}); len(got) != 1 {
		t.Errorf("Nearest(Timeout) = %q: a part, whatever its case, is a match", got)
	}
	if got := Nearest("lock-timeout", []string{"missing-lock-timeout", "missing-statement-timeout", "lock-table"}); len(got) == 0 || got[0] != "missing-lock-timeout" {
		t.Errorf("Nearest(lock-timeout) = %q", got)
	}
}

func TestDidYouMean(t *testing.T) {
	for _, c := range []struct {
		name   string
		names  []string
		format string
		want   string
	}{
		{"dri", []string{"deferred_dir", "dir", "format"}, "%q", `; did you mean "dir"?`},
		{"migratons", []string{"migrate", "migrations", "rules"}, "%s", "; did you mean migrations or migrate?"},
		{"bsae", []string{"base", "head"}, "--%s", "; did you mean --base?"},
		{"xyz", []string{"base", "head"}, "--%s", ""},
	} {
		if got := DidYouMean(c.name, c.names, c.format); got != c.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
