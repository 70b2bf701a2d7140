package split

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Diff renders the plan as a unified diff, as --dry-run prints it.
func (p *Plan) Diff() string {
	var b strings.Builder
	for _, c := range p.Changes {
		oldLabel, newLabel := "a/"+c.Path, "b/"+c.Path
		switch {
		case c.Old == "":
			oldLabel = "/dev/null"
		case c.Delete:
			newLabel = "/dev/null"
		}
		b.WriteString(udiff.Unified(oldLabel, newLabel, c.Old, c.New))
	}
	return b.String()
}

// Apply writes the plan into the work tree at root.
func (p *Plan) Apply(root string) error {
	var pruned []string
	for _, c := range p.Changes {
		full := filepath.Join(root, filepath.FromSlash(c.Path))
		if c.Delete {
			if err := os.Remove(full); err != nil {
				return fmt.Errorf("remove %s: %w", c.Path, err)
			}
			if c.PruneDir {
				pruned = append(pruned, filepath.Dir(full))
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(c.New), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", c.Path, err)
		}
	}
	for _, dir := range pruned {
		if entries, err := os.ReadDir(dir); err == nil && len(entries) == 0 {
			if err := os.Remove(dir); err != nil {
				return fmt.Errorf("remove the emptied directory %s: %w", dir, err)
			}
		}
	}
	return nil
}

// Summary says in a few lines what the plan does.
func (p *Plan) Summary() string {
	var b strings.Builder
	verb := "deferred"
	if len(p.Changes) == 0 {
		verb = "to defer"
	}
	fmt.Fprintf(&b, "%s: %d statement(s) %s as written", p.Source, p.Moved, verb)
	if len(p.Rewritten) > 0 {
		fmt.Fprintf(&b, ", %d cut into expand and contract steps", len(p.Rewritten))
	}
	b.WriteString("\n")
	for _, r := range p.Rewritten {
		fmt.Fprintf(&b, "  rewrite %s\n", r)
	}
	for _, c := range p.Changes {
		verb := "update"
		switch {
		case c.Old == "":
			verb = "create"
		case c.Delete:
			verb = "remove"
		}
		fmt.Fprintf(&b, "  %s %s\n", verb, c.Path)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	return b.String()
}
