package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
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

// fill sets every field under v, recursively, to a value that is not
// zero, taking strings from strs in turn; lists get two elements.
func fill(v reflect.Value, strs []string, n *int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[*n%len(strs)])
		*n++
	case reflect.Int, reflect.Int64, reflect.Int32:
		*n++
		v.SetInt(int64(*n))
	case reflect.Float64:
		*n++
		v.SetFloat(float64(*n) / 4)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), strs, n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), strs, n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, strs, n)
			fill(e, strs, n)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), strs, n)
			}
		}
	}
}

// TestJSONEveryField fills every field of a report (every type the hand
// encoder writes, and those it hands to encoding/json) and wants
// json.Encoder's output: a field added to a struct and not to jsonenc.go
// fails here.
func TestJSONEveryField(t *testing.T) {
	strs := []string{"plain", "q\"uote\\back<&>", "ctl\x00\x01\x1f\x7f\b\f\n\r\t", "bad\xff\xc3utf8", "ls\u2028ps\u2029", "é 日本"}
	var r Report
	n := 0
	fill(reflect.ValueOf(&r).Elem(), strs, &n)
	var got bytes.Buffer
	if err := JSON(&got, &r); err != nil {
		t.Fatal(err)
	}
	if want := encoderJSON(t, &r); !bytes.Equal(got.Bytes(), want) {
		t.Errorf("JSON wrote\n%s\nthe encoder\n%s", got.Bytes(), want)
	}
	if r.Runtime == nil || len(r.Files[0].Statements[0].Locks) == 0 {
		t.Error("fill left the runtime part empty")
	}
}

// appendJSONString quotes as encoding/json does with HTML escaping off.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x00\x1f\x7f", "\xff", "\u2028\u2029", "<>&", "é\xc3", "\b\f\n\r\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := append(appendJSONString(nil, s), '\n')
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%q: %s, encoding/json %s", s, got, want.Bytes())
		}
	})
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
