package mysql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/sources"
	"github.com/vigilhq/vigil/sources/cdc"
)

// config is a source's validated `spec.properties`.
type config struct {
	host, user, password, database string
	port                           int
	tables                         []string
	flavor                         string // "", "mysql" or "mariadb" ("" detects)
	serverID                       uint32 // 0 picks one per connection
	numericString                  bool
	failOnSchemaChange             bool
	bootstrapBatch                 int
}

func parseConfig(p map[string]any) (*config, error) {
	c := &config{host: "127.0.0.1", port: 3306, bootstrapBatch: 10000}
	known := map[string]bool{"tables": true}
	var port, passwordEnv, passwordFile, numeric, schemaChanges, batch, serverID string
	if err := cdc.StringProps(p, map[string]*string{
		"host": &c.host, "user": &c.user, "password": &c.password, "database": &c.database,
		"port": &port, "passwordEnv": &passwordEnv, "passwordFile": &passwordFile,
		"numeric": &numeric, "schemaChanges": &schemaChanges, "bootstrapBatch": &batch,
		"flavor": &c.flavor, "serverId": &serverID,
	}, known); err != nil {
		return nil, err
	}
	for k := range p {
		if !known[k] {
			return nil, fmt.Errorf("property %s: unknown (known: host, port, user, password, passwordEnv, passwordFile, database, tables, flavor, serverId, numeric, schemaChanges, bootstrapBatch)", k)
		}
	}
	if err := cdc.Port(port, &c.port); err != nil {
		return nil, err
	}
	if err := cdc.BootstrapBatch(batch, &c.bootstrapBatch); err != nil {
		return nil, err
	}
	if serverID != "" {
		n, err := strconv.ParseUint(serverID, 10, 32)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("property serverId: %q is not a positive 32-bit integer", serverID)
		}
		c.serverID = uint32(n)
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
	switch c.flavor = strings.ToLower(c.flavor); c.flavor {
	case "", "auto":
		c.flavor = ""
	case "mysql", "mariadb":
	default:
		return nil, fmt.Errorf("property flavor: %q is not mysql or mariadb", c.flavor)
	}
	if c.numericString, err = cdc.Numeric(numeric); err != nil {
		return nil, err
	}
	if c.failOnSchemaChange, err = cdc.SchemaChanges(schemaChanges); err != nil {
		return nil, err
	}
	var list []string
	switch t := p["tables"].(type) {
	case nil:
	case string:
		list = strings.Split(t, ",")
	case []string:
		list = t
	case []any:
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("property tables: want a list of strings, found %T", e)
			}
			list = append(list, s)
		}
	default:
		return nil, fmt.Errorf("property tables: want a list of strings, got %T", t)
	}
	seen := map[string]bool{}
	for _, t := range list {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if strings.ContainsAny(t, ".`") {
			return nil, fmt.Errorf("property tables: %q: give bare table names of database %s", t, c.database)
		}
		if seen[t] {
			return nil, fmt.Errorf("property tables: %q appears twice", t)
		}
		seen[t] = true
		c.tables = append(c.tables, t)
	}
	if len(c.tables) == 0 {
		return nil, fmt.Errorf("property tables: required (a list of table names)")
	}
	return c, nil
}

// quoteIdent quotes a MySQL identifier.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// quoteString quotes a string literal for either server's default sql_mode.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`, "\x00", `\0`).Replace(s) + "'"
}
