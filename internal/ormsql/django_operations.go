package ormsql

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
)

//go:embed django_operations.py
var djangoOperations []byte

// Span is where a piece of Python is written: lines 1-based, columns
// 0-based byte offsets in the line, End exclusive (as Python's ast gives
// them).
type Span struct {
	Line    int `json:"line"`
	Col     int `json:"col"`
	EndLine int `json:"end_line"`
	EndCol  int `json:"end_col"`
}

// Operations returns where each element of the operations list of the
// Django migration at path is written, read with Python's ast module
// (the migration is parsed, not imported). It is an error when the list is
// not written out as a literal: split cannot rewrite it then.
func (d Django) Operations(ctx context.Context, path string) ([]Span, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	b, err := runHelper(ctx, djangoOperations, d.Python, filepath.Dir(abs), d.Env, abs)
	if err != nil {
		return nil, fmt.Errorf("read the operations of %s: %w", path, err)
	}
	var out struct {
		Operations []Span `json:"operations"`
		Error      string `json:"error"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("read the operations of %s: the helper's output: %w", path, err)
	}
	if out.Error != "" {
		return nil, errors.New(out.Error)
	}
	return out.Operations, nil
}
