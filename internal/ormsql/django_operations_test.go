package ormsql

import (
	"context"
	"strings"
	"testing"
)

func TestDjangoOperations(t *testing.T) {
	needPython(t, "ast")
	// operations reads src with Python's ast, then finds the list.
	operations := func(name, src string) ([]Span, error) {
		mod, err := ReadPython(context.Background(), testPython, name, []byte(src))
		if err != nil {
			return nil, err
		}
		return DjangoOperations(mod)
	}
	// Two operations, one on a line and one over four; a non-ASCII
	// comment before the second does not shift its columns.
	src := "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n" +
		"    dependencies = [(\"accounts\", \"0001_initial\")]\n\n" +
		"    operations = [\n" +
		"        migrations.RemoveField(model_name=\"user\", name=\"a\"),\n" +
		"        # déjà\n" +
		"        migrations.AddField(\n            model_name=\"user\",\n            name=\"b\",\n            field=models.TextField(null=True),\n        ),\n" +
		"    ]\n"
	spans, err := operations("0002_x.py", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2 || spans[0] != (Span{8, 8, 8, 59}) || spans[1] != (Span{10, 8, 14, 9}) {
		t.Fatalf("spans %+v", spans)
	}
	lines := strings.Split(src, "\n")
	if got := lines[7][spans[0].Col:spans[0].EndCol]; got != `migrations.RemoveField(model_name="user", name="a")` {
		t.Errorf("first span reads %q", got)
	}
	for name, c := range map[string]struct{ src, want string }{
		"built": {"class Migration:\n    operations = make_operations()\n", "line 2: operations is not written out as a list"},
		"none":  {"class Migration:\n    pass\n", "no operations list"},
		"twice": {"class Migration:\n    operations = []\n    operations = []\n", "line 3: a second operations list"},
		"bad":   {"class Migration(:\n", "invalid syntax"},
	} {
		_, err := operations(name+".py", c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
