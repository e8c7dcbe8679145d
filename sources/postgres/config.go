package postgres

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/vigilhq/vigil/sources"
	"github.com/vigilhq/vigil/sources/cdc"
)

// config is a source's validated `spec.properties`.
type config struct {
	host, user, password, database, sslmode string
	port                                    int
	tables                                  []tableName
	slot, publication                       string
	numericString                           bool // numeric columns as exact decimal strings
	failOnSchemaChange                      bool
	bootstrapBatch                          int
}

// tableName is a schema-qualified table as configured.
type tableName struct{ schema, name string }

func (t tableName) String() string { return t.schema + "." + t.name }

// quoted is the table as an SQL identifier.
func (t tableName) quoted() string { return quoteIdent(t.schema) + "." + quoteIdent(t.name) }

var identRe = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// parseConfig reads the properties; each error names the property at fault.
func parseConfig(name string, p map[string]any) (*config, error) {
	c := &config{host: "127.0.0.1", port: 5432, sslmode: "prefer", bootstrapBatch: 10000}
	known := map[string]bool{}
	var port, passwordEnv, passwordFile, numeric, schemaChanges, batch string
	if err := cdc.StringProps(p, map[string]*string{
		"host": &c.host, "user": &c.user, "password": &c.password, "database": &c.database,
		"sslmode": &c.sslmode, "slot": &c.slot, "publication": &c.publication, "port": &port,
		"passwordEnv": &passwordEnv, "passwordFile": &passwordFile, "numeric": &numeric,
		"schemaChanges": &schemaChanges, "bootstrapBatch": &batch,
	}, known); err != nil {
		return nil, err
	}
	known["tables"] = true
	for k := range p {
		if !known[k] {
			return nil, fmt.Errorf("property %s: unknown (known: host, port, user, password, passwordEnv, passwordFile, database, sslmode, tables, slot, publication, numeric, schemaChanges, bootstrapBatch)", k)
		}
	}
	if err := cdc.Port(port, &c.port); err != nil {
		return nil, err
	}
	if err := cdc.BootstrapBatch(batch, &c.bootstrapBatch); err != nil {
		return nil, err
	}
	if c.user == "" {
		return nil, fmt.Errorf("property user: required")
	}
	if c.database == "" {
		return nil, fmt.Errorf("property database: required")
	}
	pw, err := sources.ResolvePassword(c.password, passwordEnv, passwordFile)
	if err != nil {
		return nil, err
	}
	c.password = pw
	switch c.sslmode {
	case "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		return nil, fmt.Errorf("property sslmode: %q is not one of disable, allow, prefer, require, verify-ca, verify-full", c.sslmode)
	}
	if c.numericString, err = cdc.Numeric(numeric); err != nil {
		return nil, err
	}
	if c.failOnSchemaChange, err = cdc.SchemaChanges(schemaChanges); err != nil {
		return nil, err
	}
	tables, err := stringList(p["tables"])
	if err != nil {
		return nil, fmt.Errorf("property tables: %v", err)
	}
	if len(tables) == 0 {
		return nil, fmt.Errorf("property tables: required (a list of table names, optionally schema-qualified)")
	}
	seen := map[string]bool{}
	for _, t := range tables {
		tn := tableName{schema: "public", name: t}
		if i := strings.IndexByte(t, '.'); i >= 0 {
			tn = tableName{schema: t[:i], name: t[i+1:]}
		}
		if tn.schema == "" || tn.name == "" {
			return nil, fmt.Errorf("property tables: %q is not a table name", t)
		}
		if seen[tn.name] {
			// The table name is the element label and id prefix, so two
			// schemas' tables of one name would collide.
			return nil, fmt.Errorf("property tables: table name %q appears twice", tn.name)
		}
		seen[tn.name] = true
		c.tables = append(c.tables, tn)
	}
	def := defaultIdent(name)
	if c.slot == "" {
		c.slot = def
	}
	if c.publication == "" {
		c.publication = def
	}
	if !identRe.MatchString(c.slot) {
		return nil, fmt.Errorf("property slot: %q must be lower-case letters, digits and _ (at most 63)", c.slot)
	}
	if !identRe.MatchString(c.publication) {
		return nil, fmt.Errorf("property publication: %q must be lower-case letters, digits and _ (at most 63)", c.publication)
	}
	return c, nil
}

// defaultIdent derives a slot/publication name from the resource name.
func defaultIdent(name string) string {
	b := []byte("vigil_" + strings.ToLower(name))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) > 63 {
		b = b[:63]
	}
	return string(b)
}

// stringList accepts a YAML list of strings or one comma-separated string.
func stringList(v any) ([]string, error) {
	var out []string
	switch t := v.(type) {
	case nil:
	case string:
		for _, s := range strings.Split(t, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, t...)
	case []any:
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings, found %T", e)
			}
			out = append(out, strings.TrimSpace(s))
		}
	default:
		return nil, fmt.Errorf("want a list of strings, got %T", v)
	}
	return out, nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteLiteral quotes an SQL string literal (standard_conforming_strings on).
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
