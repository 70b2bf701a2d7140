package capture

import "testing"

func TestDecodeBinary(t *testing.T) {
	for _, c := range []struct {
		oid  uint32
		v    []byte
		want string
	}{
		{oidInt8, []byte{0, 0, 0, 4, 0xb6, 0x0b, 0x1c, 0x40}, "20234050624"},
		{oidInt4, []byte{0xff, 0xff, 0xff, 0xfe}, "-2"},
		{oidBool, []byte{1}, "t"},
		{oidText, []byte("abc"), "abc"},
		{oidJSONB, []byte("\x01{}"), "{}"},
		{oidUUID, []byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}, "12345678-9abc-def0-1234-56789abcdef0"},
		{oidDate, []byte{0, 0, 0, 1}, "2000-01-02"},
		{oidTimestamptz, []byte{0, 0, 0, 0, 0, 0x0f, 0x42, 0x41}, "2000-01-01 00:00:01.000001+00"},
		{0, []byte{1, 2}, `\x0102`},
	} {
		if got := decodeBinary(c.oid, c.v); got != c.want {
			t.Errorf("decodeBinary(%d, %x) = %q, want %q", c.oid, c.v, got, c.want)
		}
	}
}
