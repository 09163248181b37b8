#!/bin/sh
# Builds the paired benchmark of the fake (see BENCHMARKS.md, "The fake server"): a throwaway
# module in $1 holding the fake at commit $2 as package oldfake and the working tree's as
# newfake, both driven by the SDK of the working tree. Run from the repository root:
#   sh whippywaretest/testdata/paired/setup.sh /tmp/paired 4dd8235 && (cd /tmp/paired && go run . -h)
set -eu
dir=$1 old=$2 repo=$(pwd)
rm -rf "$dir" && mkdir -p "$dir/oldfake" "$dir/newfake"
copy() { # copy <source dir> <package>: the fake's non-test files, renamed
	for f in "$1"/*.go; do
		case $f in *_test.go) continue ;; esac
		sed "s/^package whippywaretest$/package $2/" "$f" > "$dir/$2/$(basename "$f")"
	done
	cp -r "$1/testdata" "$dir/$2/" && rm -rf "$dir/$2/testdata/paired"
}
tmp=$(mktemp -d) && git archive "$old" whippywaretest | tar -x -C "$tmp"
copy "$tmp/whippywaretest" oldfake && rm -rf "$tmp"
copy whippywaretest newfake
cp whippywaretest/testdata/paired/main.go.txt "$dir/main.go"
cp go.sum "$dir/"
cat > "$dir/go.mod" <<MOD
module paired

go 1.25

require github.com/whippyware-go/whippyware v0.0.0

replace github.com/whippyware-go/whippyware => $repo
MOD
(cd "$dir" && go mod tidy >/dev/null 2>&1 || true)
