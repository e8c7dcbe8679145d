package breaker

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"time"
)

// ErrCorrupt is wrapped by every error decoding a position: a Breakers
// source refuses to start from one rather than start over silently, which
// would repeat every transition.
var ErrCorrupt = errors.New("corrupt breaker position")

// positionMagic starts every position; the byte after it is the version.
const (
	positionMagic   = "VBRK"
	positionVersion = 1
	headerLen       = len(positionMagic) + 1 + 4 // magic, version, CRC-32 of the payload
)

// wireState is the payload of a position. JSON keeps it readable in a
// store dump; short field names keep it small, since the whole state is
// committed with every transition.
type wireState struct {
	Breakers    []wireBreaker             `json:"b"`
	Present     map[string]map[string]int `json:"p,omitempty"`
	Cursors     map[string]uint64         `json:"c,omitempty"`
	Transitions uint64                    `json:"t"`
}

type wireBreaker struct {
	Key    string `json:"k"`
	State  string `json:"s"`
	Since  int64  `json:"t"` // Unix milliseconds
	Reason string `json:"r,omitempty"`
	Query  string `json:"q,omitempty"`
	Probes int    `json:"n,omitempty"`
}

// encodeState returns the position that restores s: a header (magic,
// version, CRC-32 of the payload, so that a torn or altered position is
// caught) and the state as JSON, breakers sorted by key so that equal
// states encode equal.
func encodeState(s *state) []byte {
	w := wireState{Present: s.present, Cursors: s.cursors, Transitions: s.transitions}
	for _, e := range s.breakers {
		w.Breakers = append(w.Breakers, wireBreaker{Key: e.key, State: e.state, Since: e.since.UnixMilli(),
			Reason: e.reason, Query: e.query, Probes: e.probes})
	}
	slices.SortFunc(w.Breakers, func(a, b wireBreaker) int { return strings.Compare(a.Key, b.Key) })
	payload, err := json.Marshal(w)
	if err != nil {
		// Strings, integers and maps of them always encode.
		panic("breaker: encoding the state: " + err.Error())
	}
	out := make([]byte, headerLen, headerLen+len(payload))
	copy(out, positionMagic)
	out[len(positionMagic)] = positionVersion
	binary.BigEndian.PutUint32(out[len(positionMagic)+1:], crc32.ChecksumIEEE(payload))
	return append(out, payload...)
}

// decodeState reads a position written by encodeState; nil or empty is
// the state of a reaction that has never committed.
func decodeState(pos []byte) (*state, error) {
	s := newState()
	if len(pos) == 0 {
		return s, nil
	}
	if len(pos) < headerLen || !bytes.HasPrefix(pos, []byte(positionMagic)) {
		return nil, fmt.Errorf("%w: not a breaker position (%d bytes)", ErrCorrupt, len(pos))
	}
	if v := pos[len(positionMagic)]; v != positionVersion {
		return nil, fmt.Errorf("%w: version %d, this build reads %d", ErrCorrupt, v, positionVersion)
	}
	payload := pos[headerLen:]
	if want, got := binary.BigEndian.Uint32(pos[len(positionMagic)+1:]), crc32.ChecksumIEEE(payload); want != got {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, got, want)
	}
	var w wireState
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for _, b := range w.Breakers {
		switch {
		case b.Key == "":
			return nil, fmt.Errorf("%w: a breaker without a key", ErrCorrupt)
		case b.State != Open && b.State != HalfOpen && b.State != Closed:
			return nil, fmt.Errorf("%w: breaker %q in unknown state %q", ErrCorrupt, b.Key, b.State)
		case s.breakers[b.Key] != nil:
			return nil, fmt.Errorf("%w: breaker %q twice", ErrCorrupt, b.Key)
		case b.Probes < 0:
			return nil, fmt.Errorf("%w: breaker %q with %d probes", ErrCorrupt, b.Key, b.Probes)
		}
		s.breakers[b.Key] = &entry{key: b.Key, state: b.State, since: time.UnixMilli(b.Since).UTC(),
			reason: b.Reason, query: b.Query, probes: b.Probes}
	}
	for q, keys := range w.Present {
		for k, n := range keys {
			if n <= 0 {
				return nil, fmt.Errorf("%w: query %q has %d rows for %q", ErrCorrupt, q, n, k)
			}
		}
		if len(keys) > 0 {
			s.present[q] = keys
		}
	}
	for q, c := range w.Cursors {
		s.cursors[q] = c
	}
	s.transitions = w.Transitions
	return s, nil
}
