package buildinfo

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDescribeNamesVersionRevisionAndGo(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.25.1", Main: debug.Module{Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "false"}}}
	assert.Equal(t, "v1.4.0 (revision 0123456789ab, go1.25.1)", describe(info))

	info.Main.Version = "(devel)"
	info.Settings[1].Value = "true"
	assert.Equal(t, "(devel) (revision 0123456789ab with uncommitted changes, go1.25.1)", describe(info))

	// go run and go test record no revision.
	assert.Equal(t, "(devel) (go1.25.1)", describe(&debug.BuildInfo{GoVersion: "go1.25.1"}))
}
