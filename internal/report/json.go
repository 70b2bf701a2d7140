package report

import (
	"bytes"
	"encoding/json"
	"io"
)

// JSON writes the report as indented JSON (schema version Version).
func JSON(w io.Writer, r *Report) error {
	// Encoded compact, then indented into a buffer sized for it: the
	// Encoder's own indenting grows its buffer from nothing, which cost a
	// report of a few megabytes more than encoding it.
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	var out bytes.Buffer
	out.Grow(2 * compact.Len())
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return err
	}
	_, err := out.WriteTo(w)
	return err
}
