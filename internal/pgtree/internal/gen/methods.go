package main

import (
	"google.golang.org/protobuf/reflect/protoreflect"
)

// GenerateMethods returns the gofmt'ed source of methods_gen.go: for each
// message, the methods behind Clone, Equal, Visit and Strings (message.go).
// They follow protobuf's rules: Equal treats a nil list as an empty one, and
// a nil message as unset, which an empty message is not.
func GenerateMethods() ([]byte, error) {
	g, _, err := messageFile("-kind methods", []string{"slices"}, func(g *generator, _ protoreflect.MessageDescriptor, name string, fields []field) error {
		g.cloneMethod(name, fields)
		g.equalMethod(name, fields)
		g.visitMethod(name, fields)
		g.stringsMethod(name, fields)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g.source()
}

func isMessage(fd protoreflect.FieldDescriptor) bool {
	return fd.Kind() == protoreflect.MessageKind
}

func (g *generator) cloneMethod(name string, fields []field) {
	g.p("func (m *%s) clone() *%s {", name, name)
	g.p("if m == nil { return nil }")
	g.p("c := *m")
	for _, f := range fields {
		switch {
		case f.oneof != nil:
			g.p("switch x := m.%s.(type) {", f.goName)
			for _, o := range f.oneof {
				g.p("case *%s: c.%s = &%s{%s: x.%s.clone()}", o.wrapper, f.goName, o.wrapper, o.inner, o.inner)
			}
			g.p("}")
		case f.fd.IsList() && isMessage(f.fd):
			g.p("if m.%s != nil {", f.goName)
			g.p("c.%s = make(%s, len(m.%s))", f.goName, f.goType, f.goName)
			g.p("for i, e := range m.%s { c.%s[i] = e.clone() }", f.goName, f.goName)
			g.p("}")
		case f.fd.IsList():
			g.p("if m.%s != nil { c.%s = append(%s(nil), m.%s...) }", f.goName, f.goName, f.goType, f.goName)
		case isMessage(f.fd):
			g.p("c.%s = m.%s.clone()", f.goName, f.goName)
		}
	}
	g.p("return &c")
	g.p("}")
	g.p("")
	g.p("func (m *%s) cloneMessage() Message { return m.clone() }", name)
	g.p("")
}

func (g *generator) equalMethod(name string, fields []field) {
	g.p("func (m *%s) equal(o *%s) bool {", name, name)
	g.p("if m == nil || o == nil { return m == o }")
	for _, f := range fields {
		switch {
		case f.oneof != nil:
			g.p("switch x := m.%s.(type) {", f.goName)
			g.p("case nil: if o.%s != nil { return false }", f.goName)
			for _, o := range f.oneof {
				g.p("case *%s:", o.wrapper)
				g.p("y, ok := o.%s.(*%s)", f.goName, o.wrapper)
				g.p("if !ok || !x.%s.equal(y.%s) { return false }", o.inner, o.inner)
			}
			g.p("}")
		case f.fd.IsList() && isMessage(f.fd):
			g.p("if len(m.%s) != len(o.%s) { return false }", f.goName, f.goName)
			g.p("for i, e := range m.%s { if !e.equal(o.%s[i]) { return false } }", f.goName, f.goName)
		case f.fd.IsList():
			g.p("if !slices.Equal(m.%s, o.%s) { return false }", f.goName, f.goName)
		case isMessage(f.fd):
			g.p("if !m.%s.equal(o.%s) { return false }", f.goName, f.goName)
		default:
			g.p("if m.%s != o.%s { return false }", f.goName, f.goName)
		}
	}
	g.p("return true")
	g.p("}")
	g.p("")
	g.p("func (m *%s) equalMessage(o Message) bool { y, ok := o.(*%s); return ok && m.equal(y) }", name, name)
	g.p("")
}

// visitMethod writes visit: m, then every message below it in field order.
func (g *generator) visitMethod(name string, fields []field) {
	g.p("func (m *%s) visit(fn func(Message) bool) {", name)
	g.p("if m == nil || !fn(m) { return }")
	for _, f := range fields {
		switch {
		case f.oneof != nil:
			g.p("switch x := m.%s.(type) {", f.goName)
			for _, o := range f.oneof {
				g.p("case *%s: x.%s.visit(fn)", o.wrapper, o.inner)
			}
			g.p("}")
		case f.fd.IsList() && isMessage(f.fd):
			g.p("for _, e := range m.%s { e.visit(fn) }", f.goName)
		case isMessage(f.fd):
			g.p("m.%s.visit(fn)", f.goName)
		}
	}
	g.p("}")
	g.p("")
}

// stringsMethod writes eachString: m's own non-empty string fields, in
// field order (not those of the messages below it).
func (g *generator) stringsMethod(name string, fields []field) {
	var strs []string
	for _, f := range fields {
		if f.fd != nil && !f.fd.IsList() && f.fd.Kind() == protoreflect.StringKind {
			strs = append(strs, f.goName)
		}
	}
	if len(strs) == 0 {
		g.p("func (m *%s) eachString(func(string)) {}", name)
		g.p("")
		return
	}
	g.p("func (m *%s) eachString(fn func(string)) {", name)
	for _, s := range strs {
		g.p("if m.%s != \"\" { fn(m.%s) }", s, s)
	}
	g.p("}")
	g.p("")
}
