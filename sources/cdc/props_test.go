package cdc

import (
	"reflect"
	"testing"
)

func TestStringProps(t *testing.T) {
	tests := []struct {
		name    string
		p       map[string]any
		want    map[string]string
		wantErr string
	}{
		{name: "scalars as written", p: map[string]any{"host": "db", "port": 5432, "ssl": true, "ratio": 1.5, "big": int64(7)},
			want: map[string]string{"host": "db", "port": "5432", "ssl": "true", "ratio": "1.5", "big": "7"}},
		{name: "absent and null keep the default", p: map[string]any{"port": nil},
			want: map[string]string{"host": "def", "port": "def", "ssl": "def", "ratio": "def", "big": "def"}},
		{name: "a list is not a string", p: map[string]any{"host": []any{"a"}}, wantErr: "property host: want a string, got []interface {}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			dsts := map[string]*string{}
			for _, k := range []string{"host", "port", "ssl", "ratio", "big"} {
				v := "def"
				dsts[k] = &v
			}
			known := map[string]bool{}
			err := StringProps(tc.p, dsts, known)
			if (err == nil) != (tc.wantErr == "") || err != nil && err.Error() != tc.wantErr {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			for k, v := range dsts {
				got[k] = *v
				if !known[k] {
					t.Fatalf("%s not marked known", k)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestScalarProps(t *testing.T) {
	tests := []struct {
		name    string
		parse   func(s string) (any, error)
		in      string
		want    any
		wantErr string
	}{
		{"port default", portOf, "", 1, ""},
		{"port", portOf, "3306", 3306, ""},
		{"port zero", portOf, "0", nil, `property port: "0" is not a TCP port`},
		{"port too large", portOf, "65536", nil, `property port: "65536" is not a TCP port`},
		{"port not a number", portOf, "x", nil, `property port: "x" is not a TCP port`},
		{"batch default", batchOf, "", 1, ""},
		{"batch", batchOf, "500", 500, ""},
		{"batch zero", batchOf, "0", nil, `property bootstrapBatch: "0" is not a positive integer`},
		{"numeric default", numericOf, "", false, ""},
		{"numeric float", numericOf, "float", false, ""},
		{"numeric string", numericOf, "string", true, ""},
		{"numeric other", numericOf, "exact", nil, `property numeric: "exact" is not float or string`},
		{"schemaChanges default", schemaOf, "", false, ""},
		{"schemaChanges follow", schemaOf, "follow", false, ""},
		{"schemaChanges fail", schemaOf, "fail", true, ""},
		{"schemaChanges other", schemaOf, "stop", nil, `property schemaChanges: "stop" is not follow or fail`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v, want %v", got, err, tc.want)
			}
		})
	}
}

func portOf(s string) (any, error)    { n := 1; err := Port(s, &n); return n, err }
func batchOf(s string) (any, error)   { n := 1; err := BootstrapBatch(s, &n); return n, err }
func numericOf(s string) (any, error) { return Numeric(s) }
func schemaOf(s string) (any, error)  { return SchemaChanges(s) }
