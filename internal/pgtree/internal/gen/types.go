package main

import (
	"fmt"
	"reflect"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// field is one Go struct field of a message, as the generated files need it.
type field struct {
	fd     protoreflect.FieldDescriptor // nil for a oneof's interface field
	goName string
	goType string // its Go type, in package pgtree
	// oneof lists the members of a oneof interface field.
	oneof []oneofMember
}

// oneofMember is one member of a oneof: its descriptor, its wrapper type
// (Node_CreateStmt) and the wrapper's single field (CreateStmt).
type oneofMember struct {
	fd      protoreflect.FieldDescriptor
	wrapper string
	inner   string
}

// messageFields returns md's Go struct fields in declaration order, with
// each oneof as one field that lists its members.
func messageFields(md protoreflect.MessageDescriptor) ([]field, error) {
	t, err := goType(md)
	if err != nil {
		return nil, err
	}
	if md.Messages().Len() > 0 || md.Enums().Len() > 0 {
		return nil, fmt.Errorf("%s: nested types are not supported", md.FullName())
	}
	var out []field
	byGoName := map[string]int{}
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.IsMap() {
			return nil, fmt.Errorf("%s.%s: maps are not supported", md.Name(), fd.Name())
		}
		if fd.HasPresence() && fd.Kind() != protoreflect.MessageKind && fd.ContainingOneof() == nil {
			return nil, fmt.Errorf("%s.%s: optional scalars are not supported", md.Name(), fd.Name())
		}
		gf, err := goField(t, fd)
		if err != nil {
			return nil, err
		}
		sf, _ := t.FieldByName(gf)
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			wrapper, inner, err := oneofWrapper(md, fd, gf)
			if err != nil {
				return nil, err
			}
			k, ok := byGoName[gf]
			if !ok {
				k = len(out)
				byGoName[gf] = k
				out = append(out, field{goName: gf, goType: sf.Type.Name()})
			}
			out[k].oneof = append(out[k].oneof, oneofMember{fd: fd, wrapper: wrapper, inner: inner})
			continue
		}
		gt, err := goTypeString(sf.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %v", md.Name(), fd.Name(), err)
		}
		byGoName[gf] = len(out)
		out = append(out, field{fd: fd, goName: gf, goType: gt})
	}
	return out, nil
}

// goTypeString spells a field's Go type as package pgtree declares it.
func goTypeString(t reflect.Type) (string, error) {
	switch t.Kind() {
	case reflect.Pointer:
		s, err := goTypeString(t.Elem())
		return "*" + s, err
	case reflect.Slice:
		s, err := goTypeString(t.Elem())
		return "[]" + s, err
	case reflect.Struct, reflect.Interface:
		return t.Name(), nil
	case reflect.Bool, reflect.String, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64, reflect.Float64:
		return t.Name(), nil // an enum's name, or the basic type's
	}
	return "", fmt.Errorf("unsupported Go type %v", t)
}

// zero is the zero value of field fd's Go type (nil for a oneof, fd nil).
func zero(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd == nil || fd.IsList() || fd.Kind() == protoreflect.MessageKind:
		return "nil"
	case fd.Kind() == protoreflect.StringKind:
		return `""`
	case fd.Kind() == protoreflect.BoolKind:
		return "false"
	}
	return "0"
}

// GenerateTypes returns the gofmt'ed source of types_gen.go: a Go struct
// for each message of pg_query.proto with the field names and types
// protoc-gen-go gives it, nil-safe getters, Node's oneof wrappers, and a Go
// type with named constants and a String method for each enum. None of it
// registers anything at start-up.
func GenerateTypes() ([]byte, error) {
	g, fd, err := messageFile("-kind types", []string{"strconv"}, func(g *generator, md protoreflect.MessageDescriptor, name string, fields []field) error {
		g.p("// %s is the message %s of %s.", name, md.Name(), md.ParentFile().Path())
		g.p("type %s struct {", name)
		for _, f := range fields {
			g.p("%s %s", f.goName, f.goType)
		}
		g.p("}")
		g.p("")
		for _, f := range fields {
			g.p("func (x *%s) Get%s() %s { if x != nil { return x.%s }; return %s }", name, f.goName, f.goType, f.goName, zero(f.fd))
			if f.oneof == nil {
				continue
			}
			g.p("")
			g.p("// %s is the type of %s.%s: one of the %s_ wrappers.", f.goType, name, f.goName, name)
			g.p("type %s interface{ %s() }", f.goType, f.goType)
			for _, m := range f.oneof {
				mt := "*" + goName(m.fd.Message())
				if m.fd.Kind() != protoreflect.MessageKind {
					return fmt.Errorf("%s.%s: only messages are supported in a oneof", name, m.fd.Name())
				}
				g.p("")
				g.p("// %s is %s.%s set to a %s.", m.wrapper, name, f.goName, mt)
				g.p("type %s struct { %s %s }", m.wrapper, m.inner, mt)
				g.p("func (*%s) %s() {}", m.wrapper, f.goType)
				g.p("func (x *%s) Get%s() %s { if x, ok := x.Get%s().(*%s); ok { return x.%s }; return nil }", name, m.inner, mt, f.goName, m.wrapper, m.inner)
			}
		}
		g.p("")
		return nil
	})
	if err != nil {
		return nil, err
	}
	enums := fd.Enums()
	for i := 0; i < enums.Len(); i++ {
		ed := enums.Get(i)
		name := string(ed.Name())
		g.p("// %s is the enum %s of %s.", name, name, fd.Path())
		g.p("type %s int32", name)
		g.p("")
		g.p("const (")
		values := ed.Values()
		for j := 0; j < values.Len(); j++ {
			v := values.Get(j)
			g.p("%s_%s %s = %d", name, v.Name(), name, v.Number())
		}
		g.p(")")
		g.p("")
		g.p("// String returns the value's name in %s, or its number if it has none.", fd.Path())
		g.p("func (x %s) String() string {", name)
		g.p("switch x {")
		for j := 0; j < values.Len(); j++ {
			v := values.Get(j)
			g.p("case %s_%s: return %q", name, v.Name(), v.Name())
		}
		g.p("}")
		g.p("return strconv.Itoa(int(x))")
		g.p("}")
		g.p("")
	}
	return g.source()
}
