package sources

import (
	"fmt"
	"os"
	"strings"
)

// ResolvePassword returns the password a source's properties give: inline
// (`password`), from an environment variable (`passwordEnv`) or from a file
// (`passwordFile`, trailing newlines dropped), so that a resource file can
// be committed without its secret. At most one may be set; errors name the
// property.
func ResolvePassword(inline, env, file string) (string, error) {
	set := 0
	for _, s := range []string{inline, env, file} {
		if s != "" {
			set++
		}
	}
	switch {
	case set > 1:
		return "", fmt.Errorf("property password: give only one of password, passwordEnv, passwordFile")
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("property passwordEnv: environment variable %s is not set", env)
		}
		return v, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("property passwordFile: %v", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return inline, nil
}
