package source

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// pop renders every migration file with Go's text/template before it runs
// it (gobuffalo/pop's MigrationContent), with the connection's details as
// data: {{ index .Options "Namespace" }} reads an option of the
// connection. ory/x's popx adds .IsPostgreSQL and friends, .DialectDetails,
// .Parameters and the identifier function. phasegate renders the files the
// same way, with the options the project configures
// (migrations.template_options); an option it does not have, and the
// connection's own details (.Database, .Host...), which phasegate cannot
// know, are rendered as placeholders (pop_option_namespace, pop_database)
// with a note, so that the SQL parses and every file names them alike.

// popConnection is pop's ConnectionDetails, as far as templates read it.
type popConnection struct {
	Dialect, Driver, Database, Host, Port, User, Password, Encoding, URL, RawOptions string
	Pool, IdlePool                                                                   int
	Unsafe                                                                           bool
	Options                                                                          map[string]string
}

// popData is what a template sees: pop's connection details, and ory/x
// popx's fields.
type popData struct {
	popConnection
	IsSQLite, IsCockroach, IsMySQL, IsMariaDB, IsPostgreSQL bool
	DialectDetails                                          *popConnection
	Parameters                                              map[string]any
}

// popFuncs are the functions popx adds (pop itself adds none).
var popFuncs = template.FuncMap{
	"identifier": func(s string) (string, error) {
		if !popIdentifier().MatchString(s) {
			return "", fmt.Errorf("invalid SQL identifier '%s'", s)
		}
		return s, nil
	},
}

var popIdentifier = lazyRegexp(`^[a-zA-Z][a-zA-Z0-9_]*$`)

// popConnectionFields are the connection details a template may read,
// which phasegate renders as placeholders.
var popConnectionFields = map[string]bool{"Database": true, "Host": true, "Port": true, "User": true,
	"Password": true, "URL": true, "RawOptions": true, "Encoding": true}

// Render renders a pop migration file as pop does before running it.
func (p Pop) Render(m Migration, src []byte) (*sqltext.Rendered, error) {
	if !bytes.Contains(src, []byte("{{")) || bytes.IndexByte(src, 0) >= 0 {
		return nil, nil // no action: pop runs it as written
	}
	name := path.Base(m.Path)
	t, err := template.New(name).Funcs(popFuncs).Parse(string(src))
	if err != nil {
		return nil, templateError(err)
	}
	var options map[string]string
	if p.Settings != nil {
		options = p.Settings.TemplateOptions
	}
	data, notes := popTemplateData(t, src, options)
	r := sqltext.NewRendered(src)
	r.Simple, r.Notes = true, notes
	var marks []templateMark
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			markNodes(tt.Tree.Root, &marks, r, src)
		}
	}
	var out bytes.Buffer
	if err := t.Execute(&out, data); err != nil {
		return nil, templateError(err)
	}
	unmark(out.Bytes(), marks, r)
	return r, nil
}

// templateMark says where the output that follows a marker comes from: a
// text node copied from the file at src, or an action spanning [src, end).
type templateMark struct {
	src, end int
	text     []byte // the text node's text; nil for an action
}

// markNodes puts a marker before every node of list (and of the lists
// inside it), so that the output tells which node wrote what. Markers are
// NUL bytes around the node's number: a file with a NUL is not rendered.
func markNodes(list *parse.ListNode, marks *[]templateMark, r *sqltext.Rendered, src []byte) {
	nodes := make([]parse.Node, 0, 2*len(list.Nodes))
	for _, n := range list.Nodes {
		m := templateMark{src: int(n.Position())}
		switch n := n.(type) {
		case *parse.TextNode:
			m.text = n.Text
		case *parse.IfNode:
			r.Simple = false
			markBranch(&n.BranchNode, marks, r, src)
		case *parse.RangeNode:
			r.Simple = false
			markBranch(&n.BranchNode, marks, r, src)
		case *parse.WithNode:
			r.Simple = false
			markBranch(&n.BranchNode, marks, r, src)
		case *parse.TemplateNode:
			r.Simple = false
		}
		if m.text == nil {
			m.src, m.end = actionSpan(src, m.src)
		}
		nodes = append(nodes, &parse.TextNode{NodeType: parse.NodeText, Text: []byte("\x00" + strconv.Itoa(len(*marks)) + "\x00")}, n)
		*marks = append(*marks, m)
	}
	list.Nodes = nodes
}

func markBranch(b *parse.BranchNode, marks *[]templateMark, r *sqltext.Rendered, src []byte) {
	if b.List != nil {
		markNodes(b.List, marks, r, src)
	}
	if b.ElseList != nil {
		markNodes(b.ElseList, marks, r, src)
	}
}

// actionSpan returns the span of the action around offset pos: from its
// "{{" to after its "}}".
func actionSpan(src []byte, pos int) (int, int) {
	pos = min(max(pos, 0), len(src))
	start := bytes.LastIndex(src[:pos], []byte("{{"))
	if start < 0 {
		start = pos
	}
	end := bytes.Index(src[pos:], []byte("}}"))
	if end < 0 {
		return start, len(src)
	}
	return start, pos + end + 2
}

// unmark takes the markers out of the output and records where each piece
// of the SQL comes from.
func unmark(out []byte, marks []templateMark, r *sqltext.Rendered) {
	cur := templateMark{}
	for len(out) > 0 {
		i := bytes.IndexByte(out, 0)
		if i < 0 {
			i = len(out)
		}
		if i > 0 {
			piece := out[:i]
			if cur.text != nil && bytes.HasPrefix(cur.text, piece) && bytes.HasPrefix(r.Source[min(cur.src, len(r.Source)):], piece) {
				r.Literal(cur.src, piece)
			} else {
				r.Action(cur.src, cur.end, piece)
			}
		}
		if i == len(out) {
			break
		}
		j := bytes.IndexByte(out[i+1:], 0)
		if j < 0 {
			break
		}
		n, err := strconv.Atoi(string(out[i+1 : i+1+j]))
		if err == nil && n < len(marks) {
			cur = marks[n]
		}
		out = out[i+1+j+1:]
	}
}

// popTemplateData is the data the file's template is rendered with: the
// options as configured, placeholders for the options the file reads that
// the config lacks and for the connection's details, and a note for each
// placeholder at the first action that reads it.
func popTemplateData(t *template.Template, src []byte, configured map[string]string) (popData, []sqltext.Note) {
	options := map[string]string{}
	for k, v := range configured {
		options[k] = v
	}
	conn := popConnection{Dialect: "postgres", Driver: "pgx", Options: options}
	var notes []sqltext.Note
	noted := map[string]bool{}
	note := func(pos int, key, msg string) {
		if !noted[key] {
			noted[key] = true
			start, _ := actionSpan(src, pos) // at the action's "{{"
			notes = append(notes, sqltext.Note{Kind: sqltext.NoteTemplate, Pos: sqltext.PositionIn(src, start), Message: msg})
		}
	}
	for _, ref := range templateReads(t) {
		switch {
		case ref.option != "":
			if _, ok := options[ref.option]; !ok {
				ph := placeholder("pop_option_", ref.option)
				options[ref.option] = ph
				note(ref.pos, "option "+ref.option, fmt.Sprintf("template option %q is not in migrations.template_options: phasegate rendered it as the placeholder %s; set it to the value production uses", ref.option, ph))
			}
		case popConnectionFields[ref.field]:
			note(ref.pos, "field "+ref.field, fmt.Sprintf("the template reads the connection's .%s, which phasegate cannot know: it rendered it as the placeholder %s", ref.field, placeholder("pop_", ref.field)))
		}
	}
	for f := range popConnectionFields {
		setConnectionField(&conn, f, placeholder("pop_", f))
	}
	params := map[string]any{}
	for k, v := range options {
		params[k] = v
	}
	return popData{popConnection: conn, IsPostgreSQL: true, DialectDetails: &conn, Parameters: params}, notes
}

func setConnectionField(c *popConnection, field, v string) {
	switch field {
	case "Database":
		c.Database = v
	case "Host":
		c.Host = v
	case "Port":
		c.Port = v
	case "User":
		c.User = v
	case "Password":
		c.Password = v
	case "URL":
		c.URL = v
	case "RawOptions":
		c.RawOptions = v
	case "Encoding":
		c.Encoding = v
	}
}

// placeholder is an identifier that stands for a value phasegate does not
// know: it parses where pop's values go (a schema or table name, inside a
// string literal).
func placeholder(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// templateRead is a value a template reads: an option (.Options.K, index
// .Options "K", the same under .Parameters or .DialectDetails) or a field
// of the connection.
type templateRead struct {
	pos           int
	option, field string
}

// templateReads lists what the templates read, in the order of the file.
func templateReads(t *template.Template) []templateRead {
	var out []templateRead
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walkBranch(&n.BranchNode, walk)
		case *parse.RangeNode:
			walkBranch(&n.BranchNode, walk)
		case *parse.WithNode:
			walkBranch(&n.BranchNode, walk)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			if len(n.Args) == 3 {
				if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "index" {
					if f, ok := n.Args[1].(*parse.FieldNode); ok && optionsField(f.Ident) {
						if s, ok := n.Args[2].(*parse.StringNode); ok {
							out = append(out, templateRead{pos: int(n.Position()), option: s.Text})
						}
					}
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			id := n.Ident
			if len(id) > 0 && id[0] == "DialectDetails" {
				id = id[1:]
			}
			switch {
			case len(id) >= 2 && optionsField(id[:1]):
				out = append(out, templateRead{pos: int(n.Position()), option: id[1]})
			case len(id) >= 1:
				out = append(out, templateRead{pos: int(n.Position()), field: id[0]})
			}
		case *parse.ChainNode:
			walk(n.Node)
		}
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			walk(tt.Tree.Root)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

func walkBranch(b *parse.BranchNode, walk func(parse.Node)) {
	walk(b.Pipe)
	if b.List != nil {
		walk(b.List)
	}
	if b.ElseList != nil {
		walk(b.ElseList)
	}
}

// optionsField reports whether a field chain names the options map.
func optionsField(id []string) bool {
	if len(id) > 0 && id[0] == "DialectDetails" {
		id = id[1:]
	}
	return len(id) == 1 && (id[0] == "Options" || id[0] == "Parameters")
}

// templateErrorPos finds the line (and column) text/template gives an
// error: "template: NAME:LINE[:COL]: message".
var templateErrorPos = lazyRegexp(`^template: (?:[^:]*):(\d+)(?::(\d+))?: (.*)$`)

// templateError turns a text/template error into a *sqltext.Error at its
// place in the file.
func templateError(err error) error {
	msg := err.Error()
	pos := sqltext.Position{Line: 1, Column: 1}
	if m := templateErrorPos().FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		if m[2] != "" { // execution errors: a 0-based byte offset in the line
			col, _ := strconv.Atoi(m[2])
			pos.Column = col + 1
		}
		msg = m[3]
	}
	msg = strings.ReplaceAll(msg, "source.popData", "pop's template data")
	return &sqltext.Error{Pos: pos, Message: "pop renders this migration as a Go template, and phasegate cannot render it: " + msg +
		" (phasegate renders with pop's connection details and ory/x popx's fields; options come from migrations.template_options)"}
}
