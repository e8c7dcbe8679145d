package breaker

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"testing"
	"time"
)

func sampleState() *state {
	r := rules{recovery: 30 * time.Second, probes: 3}
	s := newState()
	s.apply(r, &delta{}, "q", change{at: at(1.5), arrived: []keyed{{key: "a", reason: "3 denials"}, {key: "b"}, {key: "b"}}})
	s.tick(r, &delta{}, at(40))
	s.probe(r, &delta{}, "a", true, at(41))
	s.apply(r, &delta{}, "p", change{at: at(42), arrived: []keyed{{key: "c", reason: "ünïcode \"quoted\""}}})
	s.cursors["q"], s.cursors["p"] = 17, 4
	return s
}

func TestPositionRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    *state
	}{
		{"empty", newState()},
		{"sample", sampleState()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pos := encodeState(tc.s)
			got, err := decodeState(pos)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.s) {
				t.Fatalf("decoded %+v\nwant %+v", got, tc.s)
			}
			if again := encodeState(got); !bytes.Equal(again, pos) {
				t.Fatalf("re-encoded differently:\n%s\n%s", again, pos)
			}
		})
	}
	if s, err := decodeState(nil); err != nil || len(s.breakers) != 0 {
		t.Fatalf("nil position: %v %v", s, err)
	}
}

// reframe builds a position around payload with a correct header, so that
// a test reaches the checks after the checksum.
func reframe(payload string) []byte {
	out := append([]byte(positionMagic), positionVersion, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(out[len(positionMagic)+1:], crc32.ChecksumIEEE([]byte(payload)))
	return append(out, payload...)
}

func TestPositionCorruption(t *testing.T) {
	good := encodeState(sampleState())
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x20
		return b
	}
	for _, tc := range []struct {
		name string
		pos  []byte
		want string
	}{
		{"an HTTP source's position", []byte("42"), "not a breaker position (2 bytes)"},
		{"truncated header", good[:5], "not a breaker position (5 bytes)"},
		{"wrong magic", flip(0), "not a breaker position"},
		{"unknown version", func() []byte { b := bytes.Clone(good); b[4] = 9; return b }(), "version 9, this build reads 1"},
		{"a flipped payload byte", flip(len(good) - 3), "checksum"},
		{"truncated payload", good[:len(good)-1], "checksum"},
		{"bad JSON", reframe(`{"b":[`), "unexpected EOF"},
		{"unknown field", reframe(`{"b":[],"t":0,"x":1}`), `unknown field "x"`},
		{"unknown state", reframe(`{"b":[{"k":"a","s":"AJAR","t":0}],"t":1}`), `breaker "a" in unknown state "AJAR"`},
		{"empty key", reframe(`{"b":[{"k":"","s":"OPEN","t":0}],"t":1}`), "a breaker without a key"},
		{"a key twice", reframe(`{"b":[{"k":"a","s":"OPEN","t":0},{"k":"a","s":"OPEN","t":0}],"t":2}`), `breaker "a" twice`},
		{"a row count of zero", reframe(`{"b":[],"p":{"q":{"a":0}},"t":0}`), `query "q" has 0 rows for "a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeState(tc.pos)
			if !errors.Is(err, ErrCorrupt) || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
				t.Fatalf("error %v, want ErrCorrupt with %q", err, tc.want)
			}
		})
	}
}
