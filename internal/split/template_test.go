package split

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// popPlan splits pop migration up (with its down file), written as a
// template, on the schema base creates.
func popPlan(t *testing.T, base, up, down string) (*Plan, error) {
	t.Helper()
	f := source.Settings{TemplateOptions: map[string]string{"Namespace": "auth"}}.Apply(source.Pop{})
	fsys := fstest.MapFS{
		"migrations/20240102000000_change.up.sql":   {Data: []byte(up)},
		"migrations/20240102000000_change.down.sql": {Data: []byte(down)},
	}
	ms, err := f.List(fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	cat := schema.New()
	bf, err := sqltext.Parse([]byte(base), sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bf.Statements {
		cat.Apply(s.Node, schema.Origin{Path: "base.sql", Line: s.Pos.Line})
	}
	uf, _, err := source.Read(fsys, f, ms[0])
	if err != nil {
		t.Fatal(err)
	}
	fr := checker.New(cat, checker.Options{Version: 16}).File(checker.Input{Migration: ms[0], Tx: source.TxFile, File: uf})
	return Split(fsys, ms[0], fr, Options{Format: f, DeferredDir: "migrations/deferred", Dir: "migrations", Migrations: ms,
		Version: 16, Schema: func(string, int) *schema.Catalog { return nil }})
}

// TestSplitKeepsTemplateActions: a pop template is cut where its
// statements stand in the file, so both parts, and the down files, keep
// their template actions.
func TestSplitKeepsTemplateActions(t *testing.T) {
	p, err := popPlan(t, "CREATE SCHEMA auth;\nCREATE TABLE auth.users (id int, legacy int);",
		"ALTER TABLE {{ .Options.Namespace }}.users ADD COLUMN nick text;\nALTER TABLE {{ .Options.Namespace }}.users DROP COLUMN legacy;\n",
		"ALTER TABLE {{ .Options.Namespace }}.users ADD COLUMN legacy int;\nALTER TABLE {{ .Options.Namespace }}.users DROP COLUMN nick;\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.file(t, "20240102000000_change.up.sql"); got != "ALTER TABLE {{ .Options.Namespace }}.users ADD COLUMN nick text;\n" {
		t.Errorf("expand part:\n%s", got)
	}
	deferred := p.file(t, "deferred/20240102000000_change_contract.up.sql")
	if !strings.Contains(deferred, "ALTER TABLE {{ .Options.Namespace }}.users DROP COLUMN legacy;") || strings.Contains(deferred, "auth.users") {
		t.Errorf("deferred part:\n%s", deferred)
	}
	if got := p.file(t, "deferred/20240102000000_change_contract.down.sql"); !strings.Contains(got, "ALTER TABLE {{ .Options.Namespace }}.users ADD COLUMN legacy int;") {
		t.Errorf("deferred down part:\n%s", got)
	}
}

// TestSplitRefusesConditionalTemplates: what an {{ if }} writes cannot be
// cut statement by statement.
func TestSplitRefusesConditionalTemplates(t *testing.T) {
	_, err := popPlan(t, "CREATE SCHEMA auth;\nCREATE TABLE auth.users (id int, legacy int);",
		"{{ if .IsPostgreSQL }}ALTER TABLE auth.users ADD COLUMN nick text;\nALTER TABLE auth.users DROP COLUMN legacy;{{ end }}\n", "")
	if err == nil || !strings.Contains(err.Error(), "conditionals") || !strings.Contains(err.Error(), "split it by hand") {
		t.Fatalf("err = %v", err)
	}
}
