package source

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// TestPopRendersTemplates: a pop migration is read as pop runs it, its
// positions in the template as written.
func TestPopRendersTemplates(t *testing.T) {
	src := "-- users\nCREATE TABLE {{ index .Options \"Namespace\" }}.users (\n  id int\n);\nALTER TABLE {{ .Options.Namespace }}.users ADD COLUMN {{ identifier .Parameters.col }} text;\n"
	p := Settings{TemplateOptions: map[string]string{"Namespace": "auth", "col": "nick"}}.Apply(Pop{})
	f, _, err := Parse(p, Migration{Path: "db/1_users.up.sql"}, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Statements) != 2 || f.Statements[0].Text != "CREATE TABLE auth.users (\n  id int\n)" ||
		f.Statements[1].Text != "ALTER TABLE auth.users ADD COLUMN nick text" {
		t.Fatalf("statements: %q", texts(f))
	}
	if p := f.Statements[1].Pos; p.Line != 5 || p.Column != 1 {
		t.Errorf("second statement at %s, want 5:1", p)
	}
	// Column 55 of the template is {{ identifier ... }}: a position inside
	// what an action wrote points at the action.
	if p := f.Pos(strings.Index(string(f.Src), "nick")); p.Line != 5 || p.Column != 55 {
		t.Errorf("the action's output at %s, want 5:55", p)
	}
	if len(f.Notes) != 0 {
		t.Errorf("notes with every option set: %+v", f.Notes)
	}
	w, err := f.AsWritten()
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Statements[1].Text; got != "ALTER TABLE {{ .Options.Namespace }}.users ADD COLUMN {{ identifier .Parameters.col }} text" {
		t.Errorf("as written: %q", got)
	}
}

// TestPopPlaceholders: options the config lacks, and the connection's
// details, are placeholders, with one note each.
func TestPopPlaceholders(t *testing.T) {
	src := "CREATE SCHEMA IF NOT EXISTS {{ index .Options \"Namespace\" }};\nCREATE TABLE {{ index .Options \"Namespace\" }}.t (id int);\nCOMMENT ON DATABASE {{ .Database }} IS 'x';\n"
	f, _, err := Parse(Pop{}, Migration{Path: "1_x.up.sql"}, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(f); got[1] != "CREATE TABLE pop_option_namespace.t (id int)" || got[2] != "COMMENT ON DATABASE pop_database IS 'x'" {
		t.Errorf("statements: %q", got)
	}
	if len(f.Notes) != 2 || f.Notes[0].Kind != sqltext.NoteTemplate || f.Notes[0].Pos.Line != 1 || f.Notes[0].Pos.Column != 29 ||
		!strings.Contains(f.Notes[0].Message, `"Namespace" is not in migrations.template_options`) || !strings.Contains(f.Notes[1].Message, ".Database") {
		t.Errorf("notes: %+v", f.Notes)
	}
}

// TestPopTemplateErrors: a template that cannot be rendered is an error at
// its line and column.
func TestPopTemplateErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"SELECT 1;\nSELECT {{ .Nope }};\n", "2:11: pop renders this migration as a Go template, and phasegate cannot render it: executing \"1_x.up.sql\" at <.Nope>: can't evaluate field Nope"},
		{"SELECT 1;\nSELECT {{ nope }};\n", "2:1: pop renders this migration as a Go template, and phasegate cannot render it: function \"nope\" not defined"},
		{"SELECT {{ identifier \"a b\" }};\n", "invalid SQL identifier 'a b'"},
	} {
		_, _, err := Parse(Pop{}, Migration{Path: "1_x.up.sql"}, []byte(tc.src))
		if _, ok := err.(*sqltext.Error); !ok || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

// TestPopConditionals: pop's {{ if }} picks PostgreSQL's branch; such a
// template cannot be cut statement by statement.
func TestPopConditionals(t *testing.T) {
	src := "{{ if .IsCockroach }}CREATE INDEX i ON t (a) USING HASH;{{ else }}CREATE INDEX i ON t (a);{{ end }}\n"
	f, _, err := Parse(Pop{}, Migration{Path: "1_x.postgres.up.sql"}, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(f); len(got) != 1 || got[0] != "CREATE INDEX i ON t (a)" {
		t.Errorf("statements: %q", got)
	}
	if p := f.Statements[0].Pos; p.Line != 1 || p.Column != 67 {
		t.Errorf("at %s, want 1:67 (the else branch's text)", p)
	}
	if _, err := f.AsWritten(); err == nil {
		t.Error("a template with {{if}} was cut")
	}
}

// TestPopDetectsTemplates: N_name.up.sql files whose templates read pop's
// data are pop's; a mustache-like {{name}} in SQL is not a pop template.
func TestPopDetectsTemplates(t *testing.T) {
	fsys := fstest.MapFS{
		"pop/1_init.up.sql":   {Data: []byte("CREATE TABLE {{ index .Options \"Namespace\" }}.users (id int);")},
		"pop/1_init.down.sql": {Data: []byte("DROP TABLE {{ index .Options \"Namespace\" }}.users;")},
		"gm/1_init.up.sql":    {Data: []byte("INSERT INTO templates (body) VALUES ('Hello {{name}}');")},
	}
	if !(Pop{}).Detect(fsys, "pop") {
		t.Error("pop templates not detected")
	}
	if (Pop{}).Detect(fsys, "gm") {
		t.Error("a golang-migrate file with {{name}} taken for pop")
	}
	if f, err := Detect(fsys, "gm"); err != nil || f.Name() != "golang-migrate" {
		t.Errorf("gm detected as %v, %v", f, err)
	}
}

func texts(f *sqltext.File) []string {
	var out []string
	for _, s := range f.Statements {
		out = append(out, s.Text)
	}
	return out
}
