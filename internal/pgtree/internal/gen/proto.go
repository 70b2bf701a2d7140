package main

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// GenerateProto returns the gofmt'ed source of proto_gen.go: for each
// message, marshal, which appends its protobuf wire encoding (what
// libpg_query's deparser reads), and unmarshal, which reads it back (what
// libpg_query's parser and scanner write). The helpers they call are in
// proto.go.
func GenerateProto() ([]byte, error) {
	g, _, err := messageFile("-kind proto", nil, func(g *generator, _ protoreflect.MessageDescriptor, name string, fields []field) error {
		if err := g.marshalMethod(name, fields); err != nil {
			return err
		}
		return g.unmarshalMethod(name, fields)
	})
	if err != nil {
		return nil, err
	}
	return g.source()
}

// wireType is the wire type a field of kind k is written with (for a
// packed list, the type of its elements).
func wireType(k protoreflect.Kind) (protowire.Type, error) {
	switch k {
	case protoreflect.BoolKind, protoreflect.EnumKind, protoreflect.Int32Kind, protoreflect.Int64Kind,
		protoreflect.Uint32Kind, protoreflect.Uint64Kind:
		return protowire.VarintType, nil
	case protoreflect.DoubleKind:
		return protowire.Fixed64Type, nil
	case protoreflect.StringKind, protoreflect.MessageKind:
		return protowire.BytesType, nil
	}
	return 0, fmt.Errorf("unsupported kind %v", k)
}

// tag is the encoded key of field fd with wire type t.
func tag(fd protoreflect.FieldDescriptor, t protowire.Type) uint64 {
	return protowire.EncodeTag(fd.Number(), t)
}

// varintOf converts the Go value expr of a varint field of kind k to the
// uint64 protobuf encodes (negative int32s as 64-bit two's complement).
func varintOf(k protoreflect.Kind, expr string) string {
	switch k {
	case protoreflect.BoolKind:
		return "b2u(" + expr + ")"
	case protoreflect.EnumKind, protoreflect.Int32Kind, protoreflect.Int64Kind:
		return "uint64(int64(" + expr + "))"
	}
	return "uint64(" + expr + ")"
}

func (g *generator) marshalMethod(name string, fields []field) error {
	g.p("func (m *%s) marshal(b []byte) []byte {", name)
	g.p("if m == nil { return b }")
	for _, f := range fields {
		if f.oneof != nil {
			g.p("switch x := m.%s.(type) {", f.goName)
			for _, o := range f.oneof {
				g.p("case *%s: b = appendMessage(b, %d, x.%s.marshal)", o.wrapper, tag(o.fd, protowire.BytesType), o.inner)
			}
			g.p("}")
			continue
		}
		fd := f.fd
		wt, err := wireType(fd.Kind())
		if err != nil {
			return fmt.Errorf("%s.%s: %v", name, fd.Name(), err)
		}
		switch {
		case fd.IsList() && isMessage(fd):
			g.p("for _, e := range m.%s { b = appendMessage(b, %d, e.marshal) }", f.goName, tag(fd, wt))
		case fd.IsList() && wt == protowire.VarintType && fd.IsPacked():
			if fd.Kind() != protoreflect.Uint64Kind {
				return fmt.Errorf("%s.%s: repeated %v is not supported", name, fd.Name(), fd.Kind())
			}
			g.p("b = appendPacked(b, %d, m.%s)", tag(fd, protowire.BytesType), f.goName)
		case fd.IsList():
			return fmt.Errorf("%s.%s: unpacked repeated %v is not supported", name, fd.Name(), fd.Kind())
		case isMessage(fd):
			g.p("if m.%s != nil { b = appendMessage(b, %d, m.%s.marshal) }", f.goName, tag(fd, wt), f.goName)
		case fd.Kind() == protoreflect.StringKind:
			g.p("b = appendString(b, %d, m.%s)", tag(fd, wt), f.goName)
		case fd.Kind() == protoreflect.DoubleKind:
			g.p("b = appendDouble(b, %d, m.%s)", tag(fd, wt), f.goName)
		default:
			g.p("b = appendVarint(b, %d, %s)", tag(fd, wt), varintOf(fd.Kind(), "m."+f.goName))
		}
	}
	g.p("return b")
	g.p("}")
	g.p("")
	return nil
}

// fromVarint converts the uint64 read from a varint to the Go type of a
// field of kind k.
func fromVarint(f field, expr string) string {
	if f.fd.Kind() == protoreflect.BoolKind {
		return expr + " != 0"
	}
	return f.goType + "(" + expr + ")"
}

func (g *generator) unmarshalMethod(name string, fields []field) error {
	g.p("func (m *%s) unmarshal(r *reader) {", name)
	g.p("for r.more() {")
	g.p("num, wt := r.key()")
	g.p("switch num {")
	for _, f := range fields {
		if f.oneof != nil {
			for _, o := range f.oneof {
				g.p("case %d:", o.fd.Number())
				g.p("v := new(%s)", goName(o.fd.Message()))
				g.p("v.unmarshal(r.sub(wt))")
				g.p("m.%s = &%s{%s: v}", f.goName, o.wrapper, o.inner)
			}
			continue
		}
		fd := f.fd
		if _, err := wireType(fd.Kind()); err != nil {
			return fmt.Errorf("%s.%s: %v", name, fd.Name(), err)
		}
		g.p("case %d:", fd.Number())
		switch {
		case fd.IsList() && isMessage(fd):
			g.p("v := new(%s)", goName(fd.Message()))
			g.p("v.unmarshal(r.sub(wt))")
			g.p("m.%s = append(m.%s, v)", f.goName, f.goName)
		case fd.IsList():
			g.p("m.%s = r.uint64s(wt, m.%s)", f.goName, f.goName)
		case isMessage(fd):
			g.p("m.%s = new(%s)", f.goName, goName(fd.Message()))
			g.p("m.%s.unmarshal(r.sub(wt))", f.goName)
		case fd.Kind() == protoreflect.StringKind:
			g.p("m.%s = r.str(wt)", f.goName)
		case fd.Kind() == protoreflect.DoubleKind:
			g.p("m.%s = r.double(wt)", f.goName)
		default:
			g.p("m.%s = %s", f.goName, fromVarint(f, "r.varint(wt)"))
		}
	}
	g.p("default: r.skip(wt)")
	g.p("}")
	g.p("}")
	g.p("}")
	g.p("")
	return nil
}
