package ormsql

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

//go:embed python_ast.py
var pythonAST []byte

// Span is where a piece of Python is written: lines 1-based, columns
// 0-based byte offsets in the line, End exclusive (as Python's ast gives
// them).
type Span struct {
	Line    int `json:"line"`
	Col     int `json:"col"`
	EndLine int `json:"end_line"`
	EndCol  int `json:"end_col"`
}

// Offsets are the span's byte offsets in src, the end exclusive.
func (s Span) Offsets(src []byte) (start, end int, err error) {
	start, err1 := offset(src, s.Line, s.Col)
	end, err2 := offset(src, s.EndLine, s.EndCol)
	if err1 != nil || err2 != nil || end < start {
		return 0, 0, fmt.Errorf("span %d:%d-%d:%d is not in the source", s.Line, s.Col, s.EndLine, s.EndCol)
	}
	return start, end, nil
}

// offset is the byte offset of column col (from 0) of line (from 1).
func offset(src []byte, line, col int) (int, error) {
	at := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(string(src[at:]), '\n')
		if i < 0 {
			return 0, fmt.Errorf("no line %d", line)
		}
		at += i + 1
	}
	if at+col > len(src) {
		return 0, fmt.Errorf("no column %d on line %d", col, line)
	}
	return at + col, nil
}

// PyStatement is one statement of a function's body.
type PyStatement struct {
	Span
	// OpCall says it is a call op.NAME(...) on its own (an Alembic
	// operation); Block that it holds statements (with, if, for...).
	OpCall bool `json:"op_call"`
	Block  bool `json:"block"`
}

// PyFunction is a top-level def.
type PyFunction struct {
	Name string        `json:"name"`
	Line int           `json:"line"`
	Body []PyStatement `json:"body"`
	// Executes are the strings op.execute is called with anywhere in the
	// function, in the order they are written (as Python reads them:
	// escapes undone, SQLAlchemy's \: not).
	Executes []string `json:"executes"`
}

// PyAssign is a "name = value" at the top level of a module or a class.
type PyAssign struct {
	Name  string `json:"name"`
	Value Span   `json:"value"`
	// Text is the value when it is a string constant.
	Text *string `json:"text"`
	// Elements are the elements of a list or tuple literal value (nil for
	// any other value).
	Elements []Span `json:"elements"`
}

// PyClass is a top-level class, with the assignments of its body.
type PyClass struct {
	Name    string     `json:"name"`
	Line    int        `json:"line"`
	Assigns []PyAssign `json:"assigns"`
}

// PyModule is what Python's ast says of a module's top level.
type PyModule struct {
	Docstring *Span        `json:"docstring"`
	Assigns   []PyAssign   `json:"assigns"`
	Functions []PyFunction `json:"functions"`
	Classes   []PyClass    `json:"classes"`
}

// Assign returns the last top-level assignment to name (the one in force
// when the module has run).
func (m *PyModule) Assign(name string) (PyAssign, bool) {
	for i := len(m.Assigns) - 1; i >= 0; i-- {
		if m.Assigns[i].Name == name {
			return m.Assigns[i], true
		}
	}
	return PyAssign{}, false
}

// Function returns the top-level function name.
func (m *PyModule) Function(name string) (PyFunction, bool) {
	for _, f := range m.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return PyFunction{}, false
}

// ReadPython reads src (the file at path, which names it in errors) with
// Python's own ast module, run by python (default python3): phasegate edits
// Python migrations at the places it gives, never by matching text. Source
// that is not valid Python is an error at its path:line:col.
func ReadPython(ctx context.Context, python, path string, src []byte) (*PyModule, error) {
	tmp, err := os.MkdirTemp("", "phasegate-python-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "source.py")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		return nil, err
	}
	b, err := runHelper(ctx, pythonAST, python, tmp, nil, file)
	if err != nil {
		return nil, fmt.Errorf("read %s with Python's ast module: %w", path, err)
	}
	var out struct {
		PyModule
		Error *struct {
			Line int    `json:"line"`
			Col  int    `json:"col"`
			Msg  string `json:"msg"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("read %s with Python's ast module: %w", path, err)
	}
	if e := out.Error; e != nil {
		return nil, fmt.Errorf("%s:%d:%d: %s: it is not valid Python; fix it, then run phasegate again", path, e.Line, e.Col, e.Msg)
	}
	return &out.PyModule, nil
}
