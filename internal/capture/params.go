package capture

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Type OIDs of pg_type whose binary format decodeBinary reads.
const (
	oidBool        = 16
	oidBytea       = 17
	oidChar        = 18
	oidName        = 19
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidOID         = 26
	oidJSON        = 114
	oidXML         = 142
	oidFloat4      = 700
	oidFloat8      = 701
	oidUnknown     = 705
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidUUID        = 2950
	oidJSONB       = 3802
)

// decodeParams returns a Bind's parameter values; oids are the
// statement's parameter types, when known.
func decodeParams(b *pgproto3.Bind, oids []uint32) []Param {
	if len(b.Parameters) == 0 {
		return nil
	}
	out := make([]Param, len(b.Parameters))
	for i, v := range b.Parameters {
		var format int16
		switch n := len(b.ParameterFormatCodes); {
		case n == 1:
			format = b.ParameterFormatCodes[0]
		case i < n:
			format = b.ParameterFormatCodes[i]
		}
		switch {
		case v == nil:
			out[i] = Param{Null: true, Binary: format == 1}
		case format == 0:
			out[i] = Param{Value: string(v)}
		default:
			var oid uint32
			if i < len(oids) {
				oid = oids[i]
			}
			out[i] = Param{Value: decodeBinary(oid, v), Binary: true}
		}
	}
	return out
}

// pgEpoch is the origin of PostgreSQL's binary dates and timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// decodeBinary renders a binary-format value in PostgreSQL's text format
// where its type is one it knows, else as \x and hex.
func decodeBinary(oid uint32, v []byte) string {
	switch oid {
	case oidBool:
		if len(v) == 1 {
			if v[0] != 0 {
				return "t"
			}
			return "f"
		}
	case oidInt2:
		if len(v) == 2 {
			return strconv.Itoa(int(int16(binary.BigEndian.Uint16(v))))
		}
	case oidInt4:
		if len(v) == 4 {
			return strconv.Itoa(int(int32(binary.BigEndian.Uint32(v))))
		}
	case oidOID:
		if len(v) == 4 {
			return strconv.FormatUint(uint64(binary.BigEndian.Uint32(v)), 10)
		}
	case oidInt8:
		if len(v) == 8 {
			return strconv.FormatInt(int64(binary.BigEndian.Uint64(v)), 10)
		}
	case oidFloat4:
		if len(v) == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(v))), 'g', -1, 32)
		}
	case oidFloat8:
		if len(v) == 8 {
			return strconv.FormatFloat(math.Float64frombits(binary.BigEndian.Uint64(v)), 'g', -1, 64)
		}
	case oidText, oidVarchar, oidBPChar, oidName, oidChar, oidJSON, oidXML, oidUnknown:
		return string(v)
	case oidJSONB:
		if len(v) >= 1 && v[0] == 1 {
			return string(v[1:])
		}
	case oidUUID:
		if len(v) == 16 {
			return fmt.Sprintf("%x-%x-%x-%x-%x", v[0:4], v[4:6], v[6:8], v[8:10], v[10:16])
		}
	case oidDate:
		if len(v) == 4 {
			switch d := int32(binary.BigEndian.Uint32(v)); d {
			case math.MaxInt32:
				return "infinity"
			case math.MinInt32:
				return "-infinity"
			default:
				return pgEpoch.AddDate(0, 0, int(d)).Format("2006-01-02")
			}
		}
	case oidTimestamp, oidTimestamptz:
		if len(v) == 8 {
			switch us := int64(binary.BigEndian.Uint64(v)); us {
			case math.MaxInt64:
				return "infinity"
			case math.MinInt64:
				return "-infinity"
			default:
				s := time.Unix(pgEpoch.Unix()+us/1e6, us%1e6*1e3).UTC().Format("2006-01-02 15:04:05.999999")
				if oid == oidTimestamptz {
					s += "+00"
				}
				return s
			}
		}
	}
	return `\x` + hex.EncodeToString(v)
}
