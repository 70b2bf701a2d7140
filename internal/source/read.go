package source

import (
	"io/fs"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// Settings configure formats with what their files alone do not say.
type Settings struct {
	// TemplateOptions are the values pop's SQL templates read
	// ({{ index .Options "name" }}, ory/x popx's .Parameters): the config's
	// migrations.template_options.
	TemplateOptions map[string]string
}

// Apply returns format f configured with s.
func (s Settings) Apply(f Format) Format {
	if p, ok := f.(Pop); ok {
		p.Settings = &s
		return p
	}
	return f
}

// Lookup returns the format with the given config name, configured.
func (s Settings) Lookup(name string) (Format, error) {
	f, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return s.Apply(f), nil
}

// Templated is implemented by formats whose tool renders each file as a
// template before running it (pop, with Go's text/template). Render returns
// nil when the file holds no template action (it runs as written).
// Templated formats run their files whole (no Regions).
type Templated interface {
	Render(m Migration, src []byte) (*sqltext.Rendered, error)
}

// Read reads migration m of format f from fsys and parses the SQL its
// tool runs: it is where every part of phasegate (the static check, split,
// the runtime check's runner) turns a migration file into SQL.
func Read(fsys fs.FS, f Format, m Migration) (*sqltext.File, Script, error) {
	src, err := fs.ReadFile(fsys, m.Path)
	if err != nil {
		return nil, Script{}, err
	}
	return Parse(f, m, src)
}

// Parse parses the SQL the tool runs for migration m, whose file holds
// src: the forward part of the file (f.Script), rendered first when the
// tool renders its files as templates. A malformed file or template is a
// *sqltext.Error at its position in the file as written.
func Parse(f Format, m Migration, src []byte) (*sqltext.File, Script, error) {
	script, err := f.Script(m, src)
	if err != nil {
		return nil, script, err
	}
	opts := sqltext.Options{Regions: script.Regions}
	if t, ok := f.(Templated); ok {
		r, err := t.Render(m, src)
		if err != nil {
			return nil, script, err
		}
		if r != nil {
			opts.Rendered, src = r, r.SQL
		}
	}
	file, err := sqltext.Parse(src, opts)
	if err != nil {
		return nil, script, err
	}
	if c, ok := f.(Cutter); ok && opts.Rendered == nil {
		// The tool cuts the file its own way: a statement it would cut in
		// two fails in production whatever PostgreSQL's parser says.
		if err := c.Cut(src, script, file.Statements); err != nil {
			return nil, script, err
		}
	}
	return file, script, nil
}
