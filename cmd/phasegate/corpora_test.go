package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// corporaDir is the shared corpus of real migration histories, which the
// repository does not hold: $PHASEGATE_CORPORA, or ../shared/corpora
// beside the checkout when it is there.
func corporaDir(t *testing.T) string {
	dir := os.Getenv("PHASEGATE_CORPORA")
	if dir == "" {
		if d, err := filepath.Abs("../../../shared/corpora"); err == nil {
			if _, err := os.Stat(d); err == nil {
				return d
			}
		}
		if os.Getenv("PHASEGATE_REQUIRE_CORPORA") != "" {
			t.Fatal("PHASEGATE_CORPORA is not set and ../shared/corpora is absent, and PHASEGATE_REQUIRE_CORPORA says the corpus tests must run; .ci/run sets it")
		}
		t.Skip("PHASEGATE_CORPORA is not set and ../shared/corpora is absent: the corpus test needs the shared corpora")
	}
	return dir
}

// Every forward file of every corpus parses and every statement is placed:
// phasegate classify on each project's migration directory, with the format
// detected, reports no file error, and each statement once, at a line and
// column of its own. Of the corpora's 986 forward files, 977 are
// migrations: kratos has 5 generic files that a .postgres. file of the same
// version replaces, and temporal's 4 schema.sql/database.sql are baselines
// beside its versioned directories.
func TestClassifyCorpora(t *testing.T) {
	root := corporaDir(t)
	dirs := map[string]string{ // corpus directory -> the format it must be detected as
		"harbor-golang-migrate": "golang-migrate", "openfga-goose": "goose", "conductor-flyway": "flyway",
		"documenso-prisma": "prisma", "umami-prisma": "prisma", "lemmy-diesel": "diesel", "kratos-pop": "pop",
		"temporal-versioned/temporal/versioned": "plain", "temporal-versioned/visibility/versioned": "plain",
	}
	total, files := 0, 0
	for dir, format := range dirs {
		var out, errb bytes.Buffer
		code := run([]string{"classify", "--format", "json", filepath.Join(root, dir)}, &out, &errb)
		if code == exitUsage {
			t.Errorf("%s: exit %d: %s", dir, code, errb.String())
			continue
		}
		var rep struct {
			Migrations *struct{ Format string }
			Files      []struct {
				Path, Format string
				Statements   []struct{ Line, Column int }
			}
			Errors []struct {
				Path    string
				Line    int
				Message string
			}
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, e := range rep.Errors {
			t.Errorf("%s:%d: %s", e.Path, e.Line, e.Message)
		}
		if len(rep.Files) == 0 {
			t.Errorf("%s: no files classified", dir)
		}
		n := 0
		for _, f := range rep.Files {
			if f.Format != format {
				t.Errorf("%s: format %s, want %s", f.Path, f.Format, format)
			}
			n += len(f.Statements)
			seen := map[string]bool{}
			for _, s := range f.Statements {
				key := fmt.Sprintf("%d:%d", s.Line, s.Column)
				if s.Line < 1 || s.Column < 1 || seen[key] {
					t.Errorf("%s: statement at %s (placed twice, or nowhere)", f.Path, key)
				}
				seen[key] = true
			}
			total += len(f.Statements)
		}
		files += len(rep.Files)
		t.Logf("%s: %s, %d files, %d statements", dir, format, len(rep.Files), n)
	}
	t.Logf("%d files, %d statements", files, total)
}
