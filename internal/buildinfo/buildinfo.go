// Package buildinfo says which build of a program is running, for its --version flag: the
// module version and the version control revision that the Go toolchain records in every
// binary (debug.ReadBuildInfo).
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Version returns one line for program's --version, such as
// "v1.4.0 (revision 0123456789ab, go1.25.1)"; "(devel)" stands for a build from a checked-out
// tree rather than from a tagged module.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (the binary carries no build information)"
	}
	return describe(info)
}

// describe builds Version's line from info.
func describe(info *debug.BuildInfo) string {
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	var details []string
	if revision != "" {
		r := "revision " + revision[:min(len(revision), 12)]
		if modified == "true" {
			r += " with uncommitted changes"
		}
		details = append(details, r)
	}
	details = append(details, info.GoVersion)
	return fmt.Sprintf("%s (%s)", version, strings.Join(details, ", "))
}
