package cdc

import (
	"fmt"
	"strconv"
)

// The helpers below read the `spec.properties` both CDC sources take alike.
// Each source still decides the order of its checks and the properties of
// its own (tables, slot, flavor …); every error names the property at
// fault, as the sources' documentation promises.

// StringProps copies the properties named by dsts into them and marks each
// name in known. A YAML decoder gives `port: 5432` as a number and
// `password: yes` as a boolean, so scalars are taken as written; anything
// else (a list, a map) is an error.
func StringProps(p map[string]any, dsts map[string]*string, known map[string]bool) error {
	for key, dst := range dsts {
		known[key] = true
		v, ok := p[key]
		if !ok || v == nil {
			continue
		}
		switch t := v.(type) {
		case string:
			*dst = t
		case int, int64, float64, bool:
			*dst = fmt.Sprint(t)
		default:
			return fmt.Errorf("property %s: want a string, got %T", key, v)
		}
	}
	return nil
}

// Port sets *dst from property port, given as s; "" keeps the default.
func Port(s string, dst *int) error {
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 65535 {
		return fmt.Errorf("property port: %q is not a TCP port", s)
	}
	*dst = n
	return nil
}

// BootstrapBatch sets *dst from property bootstrapBatch (the most rows in
// one bootstrap batch), given as s; "" keeps the default.
func BootstrapBatch(s string, dst *int) error {
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return fmt.Errorf("property bootstrapBatch: %q is not a positive integer", s)
	}
	*dst = n
	return nil
}

// Numeric reads property numeric: "float" (the default) or "string",
// which keeps exact decimals as strings and makes asString true.
func Numeric(s string) (asString bool, err error) {
	switch s {
	case "", "float":
		return false, nil
	case "string":
		return true, nil
	}
	return false, fmt.Errorf("property numeric: %q is not float or string", s)
}

// SchemaChanges reads property schemaChanges: "follow" (the default) or
// "fail", which makes a followed table's schema change stop the source and
// fail true (see Core.SchemaChanged).
func SchemaChanges(s string) (fail bool, err error) {
	switch s {
	case "", "follow":
		return false, nil
	case "fail":
		return true, nil
	}
	return false, fmt.Errorf("property schemaChanges: %q is not follow or fail", s)
}
