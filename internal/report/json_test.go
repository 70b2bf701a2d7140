package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
)

// encoderJSON is what JSON must write: the report through json.Encoder.
func encoderJSON(t testing.TB, r *Report) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// JSON writes files one at a time; the result is json.Encoder's, byte for
// byte, whatever the strings hold.
func TestJSONIsTheEncoders(t *testing.T) {
	tricky := `,"files":null, {"a":[1,{}]} \"quoted\" \\ back\\slash <html> & é ` + "\t\n\x01"
	file := func(path string) File {
		return File{Path: path, Format: "golang-migrate", Statements: []Statement{{Line: 1, SQL: tricky, Phase: "expand"}}}
	}
	for name, r := range map[string]*Report{
		"no files":    {Version: Version, Tool: "phasegate", Result: "pass"},
		"empty files": {Version: Version, Tool: "phasegate", Result: "pass", Files: []File{}},
		"files": {
			Version: Version, Tool: "phasegate", Result: "fail", Base: tricky,
			Migrations: &Migrations{Dir: `db/"files":null`, Format: "x"},
			Summary:    Summary{Files: 2, Statements: 2},
			Files:      []File{file("a.sql"), file(tricky), {Path: "empty.sql"}},
			Errors:     []Error{{Path: tricky, Message: tricky}},
			Notes:      []Note{{}},
		},
	} {
		var got bytes.Buffer
		if err := JSON(&got, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := encoderJSON(t, r); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: JSON wrote\n%s\nthe encoder\n%s", name, got.Bytes(), want)
		}
	}
}

// The indenter, fed compact JSON in any pieces, writes what json.Indent
// writes.
func FuzzIndenter(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2,{"b":{}}],"c":"x\"y,{"}`, `[[],[{}],"\\"]`, `"s"`, `1`} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			return
		}
		src := compact.Bytes()
		var want bytes.Buffer
		if err := json.Indent(&want, src, "", "  "); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		in := indenter{w: w}
		at := int(cut) % (len(src) + 1)
		in.write(src[:at])
		in.write(src[at:])
		w.Flush()
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%q (cut at %d): indenter %q, json.Indent %q", src, at, got.Bytes(), want.Bytes())
		}
	})
}
