package postgres

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// decoder turns one column value in PostgreSQL's text output format into a
// Vigil value. Snapshot rows and pgoutput tuples both arrive as text (the
// sessions pin DateStyle, TimeZone, IntervalStyle and extra_float_digits),
// so one decoder per type serves both and a row reads the same either way.
type decoder func(text []byte) (value.Value, error)

// Built-in type OIDs (pg_type.dat); they are stable across versions.
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
	oidFloat4      = 700
	oidFloat8      = 701
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTime        = 1083
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidInterval    = 1186
	oidTimetz      = 1266
	oidNumeric     = 1700
	oidUUID        = 2950
	oidJSONB       = 3802
)

// typeInfo is the part of pg_type a decoder needs.
type typeInfo struct {
	oid      uint32
	name     string
	typtype  byte   // b base, d domain, e enum, c composite, r range, p pseudo
	category byte   // A for arrays
	elem     uint32 // element type of an array
	base     uint32 // base type of a domain
	delim    byte   // array element delimiter
}

// typeLookup fetches pg_type rows the decoders have not seen yet.
type typeLookup func(oids []uint32) (map[uint32]typeInfo, error)

// decoders builds and caches a decoder per type OID.
type decoders struct {
	numericString bool
	types         map[uint32]typeInfo
	cache         map[uint32]decoder
	lookup        typeLookup
}

func newDecoders(numericString bool, lookup typeLookup) *decoders {
	return &decoders{numericString: numericString, types: map[uint32]typeInfo{}, cache: map[uint32]decoder{}, lookup: lookup}
}

// forType returns the decoder of a type, reading pg_type for user-defined
// types (enums, domains, arrays of them) on first use.
func (d *decoders) forType(oid uint32) (decoder, error) {
	if dec, ok := d.cache[oid]; ok {
		return dec, nil
	}
	if dec := d.builtin(oid); dec != nil {
		d.cache[oid] = dec
		return dec, nil
	}
	ti, ok := d.types[oid]
	if !ok {
		if err := d.load(oid); err != nil {
			return nil, err
		}
		ti = d.types[oid]
	}
	var dec decoder
	switch {
	case ti.typtype == 'd' && ti.base != 0:
		base, err := d.forType(ti.base)
		if err != nil {
			return nil, err
		}
		dec = base
	case ti.category == 'A' && ti.elem != 0:
		elem, err := d.forType(ti.elem)
		if err != nil {
			return nil, err
		}
		delim := ti.delim
		if delim == 0 {
			delim = ','
		}
		dec = arrayDecoder(elem, delim)
	default:
		// Enums, uuid-like extension types, ranges, composites, network
		// types: their text form is the most faithful value Vigil has.
		dec = decodeString
	}
	d.cache[oid] = dec
	return dec, nil
}

// load reads oid and, transitively, the element and base types it needs.
func (d *decoders) load(oid uint32) error {
	want := []uint32{oid}
	for len(want) > 0 {
		got, err := d.lookup(want)
		if err != nil {
			return err
		}
		want = want[:0]
		for o, ti := range got {
			d.types[o] = ti
			for _, dep := range []uint32{ti.elem, ti.base} {
				if dep == 0 || d.builtin(dep) != nil {
					continue
				}
				if _, ok := d.types[dep]; !ok {
					want = append(want, dep)
				}
			}
		}
		if _, ok := d.types[oid]; !ok {
			// Unknown to pg_type (dropped concurrently): text is safe.
			d.types[oid] = typeInfo{oid: oid, typtype: 'b'}
		}
	}
	return nil
}

// builtin returns the decoder of a built-in scalar type, or nil.
func (d *decoders) builtin(oid uint32) decoder {
	switch oid {
	case oidBool:
		return decodeBool
	case oidInt2, oidInt4, oidInt8, oidOID:
		return decodeInt
	case oidFloat4, oidFloat8:
		return decodeFloat
	case oidNumeric:
		if d.numericString {
			return decodeString
		}
		return decodeFloat
	case oidText, oidVarchar, oidBPChar, oidName, oidChar, oidUUID:
		return decodeString
	case oidBytea:
		return decodeBytea
	case oidJSON, oidJSONB:
		return decodeJSON
	case oidDate:
		return decodeDate
	case oidTimestamp:
		return decodeTimestamp
	case oidTimestamptz:
		return decodeTimestamptz
	case oidTime:
		return decodeTime
	case oidTimetz:
		return decodeTimetz
	case oidInterval:
		return decodeInterval
	}
	return nil
}

func decodeString(b []byte) (value.Value, error) { return value.Str(string(b)), nil }

func decodeBool(b []byte) (value.Value, error) {
	switch string(b) {
	case "t", "true":
		return value.True, nil
	case "f", "false":
		return value.False, nil
	}
	return value.Null, fmt.Errorf("invalid boolean %q", b)
}

func decodeInt(b []byte) (value.Value, error) {
	i, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// oid is unsigned 32-bit and always fits; anything else is corrupt.
		return value.Null, fmt.Errorf("invalid integer %q", b)
	}
	return value.Int(i), nil
}

// decodeFloat also serves numeric by default: Vigil has no decimal type and
// most numeric columns hold amounts that read naturally as floats; the
// `numeric: string` property keeps them exact instead.
func decodeFloat(b []byte) (value.Value, error) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return value.Float(f), nil // ±Inf or 0 for out-of-range numerics
		}
		return value.Null, fmt.Errorf("invalid number %q", b)
	}
	return value.Float(f), nil
}

// decodeBytea maps bytea (hex output, the default bytea_output) to base64,
// the usual way bytes travel in JSON.
func decodeBytea(b []byte) (value.Value, error) {
	if !bytes.HasPrefix(b, []byte(`\x`)) {
		return value.Null, fmt.Errorf("bytea not in hex format (set bytea_output = hex)")
	}
	raw := make([]byte, hex.DecodedLen(len(b)-2))
	if _, err := hex.Decode(raw, b[2:]); err != nil {
		return value.Null, fmt.Errorf("invalid bytea: %v", err)
	}
	return value.Str(base64.StdEncoding.EncodeToString(raw)), nil
}

func decodeJSON(b []byte) (value.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // keep integers integers
	var x any
	if err := dec.Decode(&x); err != nil {
		return value.Null, fmt.Errorf("invalid json: %v", err)
	}
	return value.FromGo(x)
}

// Infinite and BC dates have no Vigil temporal value; their text is kept.
func special(b []byte) bool {
	s := string(b)
	return s == "infinity" || s == "-infinity" || strings.HasSuffix(s, " BC")
}

func decodeDate(b []byte) (value.Value, error) {
	if special(b) {
		return value.Str(string(b)), nil
	}
	t, err := time.Parse("2006-01-02", string(b))
	if err != nil {
		return value.Null, fmt.Errorf("invalid date %q", b)
	}
	return value.NewDateFromEpochDay(floorDiv(t.Unix(), 86400)), nil
}

func decodeTimestamp(b []byte) (value.Value, error) {
	if special(b) {
		return value.Str(string(b)), nil
	}
	t, err := time.Parse("2006-01-02 15:04:05.999999999", string(b))
	if err != nil {
		return value.Null, fmt.Errorf("invalid timestamp %q", b)
	}
	sec := t.Unix()
	return value.NewLocalDateTime(floorDiv(sec, 86400), (sec-floorDiv(sec, 86400)*86400)*1e9+int64(t.Nanosecond())), nil
}

// decodeTimestamptz reads the UTC rendering the sessions ask for
// (TimeZone=UTC), so the offset is +00; other offsets parse too.
func decodeTimestamptz(b []byte) (value.Value, error) {
	if special(b) {
		return value.Str(string(b)), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999-07:00:00"} {
		if t, err := time.Parse(layout, string(b)); err == nil {
			return value.NewDateTime(t.UTC(), ""), nil
		}
	}
	return value.Null, fmt.Errorf("invalid timestamptz %q", b)
}

func parseClock(s string) (int64, error) {
	t, err := time.Parse("15:04:05.999999999", s)
	if err != nil {
		if strings.HasPrefix(s, "24:00:00") {
			return 24 * 3600 * 1e9, nil // allowed by PostgreSQL, wraps to midnight
		}
		return 0, err
	}
	return int64(t.Hour())*3600e9 + int64(t.Minute())*60e9 + int64(t.Second())*1e9 + int64(t.Nanosecond()), nil
}

func decodeTime(b []byte) (value.Value, error) {
	ns, err := parseClock(string(b))
	if err != nil {
		return value.Null, fmt.Errorf("invalid time %q", b)
	}
	return value.NewLocalTime(ns), nil
}

var tzRe = regexp.MustCompile(`^(.*?)([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$`)

func decodeTimetz(b []byte) (value.Value, error) {
	m := tzRe.FindStringSubmatch(string(b))
	if m == nil {
		return value.Null, fmt.Errorf("invalid timetz %q", b)
	}
	ns, err := parseClock(m[1])
	if err != nil {
		return value.Null, fmt.Errorf("invalid timetz %q", b)
	}
	h, _ := strconv.Atoi(m[3])
	mi, _ := strconv.Atoi(m[4] + "0")
	s, _ := strconv.Atoi(m[5] + "0")
	off := h*3600 + mi/10*60 + s/10
	if m[2] == "-" {
		off = -off
	}
	return value.NewTime(ns, int32(off)), nil
}

// intervalRe matches IntervalStyle iso_8601, where each field has its own
// sign (P-1Y2M3DT-4H5M-6.5S).
var intervalRe = regexp.MustCompile(`^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$`)

func decodeInterval(b []byte) (value.Value, error) {
	m := intervalRe.FindStringSubmatch(string(b))
	if m == nil {
		return value.Null, fmt.Errorf("invalid interval %q (want IntervalStyle iso_8601)", b)
	}
	n := func(s string) int64 { i, _ := strconv.ParseInt(s, 10, 64); return i }
	months := n(m[1])*12 + n(m[2])
	days := n(m[3])
	secs := n(m[4])*3600 + n(m[5])*60
	var nanos int64
	if s := m[6]; s != "" {
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		whole, frac, _ := strings.Cut(s, ".")
		w := n(whole)
		f := n((frac + "000000000")[:9])
		if neg {
			w, f = -w, -f
		}
		secs += w
		nanos = f
	}
	return value.NewDuration(months, days, secs, nanos), nil
}

// arrayDecoder parses PostgreSQL's array literal ({1,2,NULL,"a b"},
// nested braces for more dimensions) into lists of element values.
func arrayDecoder(elem decoder, delim byte) decoder {
	return func(b []byte) (value.Value, error) {
		s := b
		if len(s) > 0 && s[0] == '[' { // explicit bounds: [0:2]={...}
			i := bytes.IndexByte(s, '=')
			if i < 0 {
				return value.Null, fmt.Errorf("invalid array %q", b)
			}
			s = s[i+1:]
		}
		p := arrayParser{s: s, delim: delim, elem: elem}
		v, err := p.parse()
		if err != nil {
			return value.Null, fmt.Errorf("invalid array %q: %v", b, err)
		}
		if p.i != len(p.s) {
			return value.Null, fmt.Errorf("invalid array %q: trailing text", b)
		}
		return v, nil
	}
}

type arrayParser struct {
	s     []byte
	i     int
	delim byte
	elem  decoder
}

func (p *arrayParser) parse() (value.Value, error) {
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return value.Null, fmt.Errorf("expected {")
	}
	p.i++
	var items []value.Value
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return value.List([]value.Value{}), nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return value.Null, fmt.Errorf("unterminated")
		}
		var v value.Value
		var err error
		switch p.s[p.i] {
		case '{':
			v, err = p.parse()
		case '"':
			var raw []byte
			raw, err = p.quoted()
			if err == nil {
				v, err = p.elem(raw)
			}
		default:
			start := p.i
			for p.i < len(p.s) && p.s[p.i] != p.delim && p.s[p.i] != '}' {
				p.i++
			}
			raw := bytes.TrimSpace(p.s[start:p.i])
			if string(raw) == "NULL" {
				v = value.Null
			} else {
				v, err = p.elem(raw)
			}
		}
		if err != nil {
			return value.Null, err
		}
		items = append(items, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return value.Null, fmt.Errorf("unterminated")
		}
		switch p.s[p.i] {
		case p.delim:
			p.i++
		case '}':
			p.i++
			return value.List(items), nil
		default:
			return value.Null, fmt.Errorf("unexpected %q", p.s[p.i])
		}
	}
}

func (p *arrayParser) quoted() ([]byte, error) {
	p.i++ // opening quote
	var out []byte
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return nil, fmt.Errorf("dangling escape")
			}
			out = append(out, p.s[p.i+1])
			p.i += 2
		case '"':
			p.i++
			return out, nil
		default:
			out = append(out, c)
			p.i++
		}
	}
	return nil, fmt.Errorf("unterminated quote")
}

func (p *arrayParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
