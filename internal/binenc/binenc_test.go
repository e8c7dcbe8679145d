package binenc

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestReader(t *testing.T) {
	torn := errors.New("torn")
	b := binary.AppendVarint(nil, -5)
	b = AppendString(b, "hé")
	b = append(b, 7)
	r := Reader{B: b, Torn: torn}
	if v, s, c := r.Varint(), r.String(), r.Byte(); v != -5 || s != "hé" || c != 7 || r.Err != nil {
		t.Fatalf("%d %q %d %v", v, s, c, r.Err)
	}
	if r.Byte(); !errors.Is(r.Err, torn) {
		t.Fatalf("reading past the end: %v", r.Err)
	}
	// A corrupted length larger than what is left fails without allocating.
	r = Reader{B: binary.AppendUvarint(nil, 1<<40), Torn: torn}
	if s := r.String(); s != "" || !errors.Is(r.Err, torn) {
		t.Fatalf("%q %v", s, r.Err)
	}
}
