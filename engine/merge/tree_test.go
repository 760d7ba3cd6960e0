package merge

import (
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
)

type files = map[string]fileSpec

func lines(from, to int, change map[int]string) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		if s, ok := change[i]; ok {
			b.WriteString(s)
		} else {
			fmt.Fprintf(&b, "line %d of some text\n", i)
		}
	}
	return b.String()
}

var treeCases = []struct {
	name               string
	base, ours, theirs files
}{
	{"clean disjoint",
		files{"a": {content: "1\n2\n3\n"}, "d/e/f": {content: lines(1, 10, nil)}, "d/g": {content: "g\n"}, "keep/deep/x": {content: "x\n"}},
		files{"a": {content: "1\n2\n3\nours\n"}, "d/e/f": {content: lines(1, 10, map[int]string{2: "OURS\n"})}, "d/g": {content: "g\n"}, "keep/deep/x": {content: "x\n"}},
		files{"a": {content: "theirs\n1\n2\n3\n"}, "d/e/f": {content: lines(1, 10, map[int]string{9: "THEIRS\n"})}, "d/g": {content: "g\n"}, "keep/deep/x": {content: "x\n"}, "new/file": {content: "n\n"}}},
	{"content conflict",
		files{"f": {content: lines(1, 10, nil)}},
		files{"f": {content: lines(1, 10, map[int]string{5: "OURS\n"})}},
		files{"f": {content: lines(1, 10, map[int]string{5: "THEIRS\n"})}}},
	{"add/add",
		files{"x": {content: "x\n"}},
		files{"x": {content: "x\n"}, "new": {content: "a\nb\nours\n"}},
		files{"x": {content: "x\n"}, "new": {content: "a\nb\ntheirs\n"}}},
	{"add/add identical",
		files{"x": {content: "x\n"}},
		files{"x": {content: "x\n"}, "new": {content: "same\n"}},
		files{"x": {content: "x\n"}, "new": {content: "same\n"}}},
	{"modify/delete",
		files{"f": {content: "f\n"}, "g": {content: "g\n"}},
		files{"g": {content: "g\n"}},
		files{"f": {content: "f2\n"}, "g": {content: "g\n"}}},
	{"delete/modify",
		files{"f": {content: "f\n"}, "g": {content: "g\n"}},
		files{"f": {content: "f2\n"}, "g": {content: "g\n"}},
		files{"g": {content: "g\n"}}},
	{"rename clean",
		files{"old": {content: lines(1, 20, nil)}},
		files{"new": {content: lines(1, 20, map[int]string{1: "OURS\n"})}},
		files{"old": {content: lines(1, 20, map[int]string{20: "THEIRS\n"})}}},
	{"rename theirs into untouched dir",
		files{"a/x": {content: lines(1, 20, nil)}, "lib/y": {content: "y\n"}, "lib/sub/z": {content: "z\n"}},
		files{"a/x": {content: lines(1, 20, map[int]string{1: "OURS\n"})}, "lib/y": {content: "y\n"}, "lib/sub/z": {content: "z\n"}},
		files{"lib/sub/x": {content: lines(1, 20, map[int]string{20: "THEIRS\n"})}, "lib/y": {content: "y\n"}, "lib/sub/z": {content: "z\n"}}},
	{"rename conflict",
		files{"old": {content: lines(1, 20, nil)}},
		files{"new": {content: lines(1, 20, map[int]string{10: "OURS\n"})}},
		files{"old": {content: lines(1, 20, map[int]string{10: "THEIRS\n"})}}},
	{"rename/delete",
		files{"old": {content: lines(1, 20, nil)}, "k": {content: "k\n"}},
		files{"new": {content: lines(1, 20, nil)}, "k": {content: "k\n"}},
		files{"k": {content: "k\n"}}},
	{"rename/rename",
		files{"old": {content: lines(1, 20, nil)}},
		files{"a": {content: lines(1, 20, nil)}},
		files{"b": {content: lines(1, 20, nil)}}},
	{"rename both same",
		files{"old": {content: lines(1, 20, nil)}},
		files{"new": {content: lines(1, 20, map[int]string{1: "OURS\n"})}},
		files{"new": {content: lines(1, 20, map[int]string{20: "THEIRS\n"})}}},
	{"rename both same, conflicting",
		files{"old": {content: lines(1, 20, nil)}},
		files{"new": {content: lines(1, 20, map[int]string{10: "OURS\n"})}},
		files{"new": {content: lines(1, 20, map[int]string{10: "THEIRS\n"})}}},
	{"file/directory",
		files{"fd": {content: "f\n"}, "k": {content: "k\n"}},
		files{"fd/x": {content: "in\n"}, "k": {content: "k\n"}},
		files{"fd": {content: "g\n"}, "k": {content: "k\n"}}},
	{"directory/file added",
		files{"k": {content: "k\n"}},
		files{"p": {content: "file\n"}, "k": {content: "k\n"}},
		files{"p/x": {content: "dir\n"}, "k": {content: "k\n"}}},
	{"mode one side",
		files{"m": {content: "a\nb\nc\n"}},
		files{"m": {mode: "100755", content: "a\nb\nc\n"}},
		files{"m": {content: "a\nb\nC\n"}}},
	{"add/add modes differ",
		files{"k": {content: "k\n"}},
		files{"k": {content: "k\n"}, "m": {content: "same\n"}},
		files{"k": {content: "k\n"}, "m": {mode: "100755", content: "same\n"}}},
	{"symlink conflict",
		files{"s": {mode: "120000", content: "t0"}},
		files{"s": {mode: "120000", content: "t1"}},
		files{"s": {mode: "120000", content: "t2"}}},
	{"symlink vs file",
		files{"s": {content: "x\n"}},
		files{"s": {mode: "120000", content: "target"}},
		files{"s": {content: "x\ny\n"}}},
	{"binary",
		files{"b": {content: "bin\x00\n"}},
		files{"b": {content: "one\x00\n"}},
		files{"b": {content: "two\x00\n"}}},
	{"empty result",
		files{"a": {content: "a\n"}, "d/b": {content: "b\n"}},
		files{"d/b": {content: "b\n"}},
		files{"a": {content: "a\n"}}},
	{"crlf and no newline",
		files{"c": {content: "a\r\nb\r\nc\r\n"}, "n": {content: "a\nb"}},
		files{"c": {content: "a\r\nX\r\nc\r\n"}, "n": {content: "a\nX"}},
		files{"c": {content: "a\r\nY\r\nc\r\n"}, "n": {content: "a\nY"}}},
	{"dir rename: adds follow",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/sub/s": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "new/f1": {content: lines(1, 20, nil)}, "new/f2": {content: lines(21, 40, map[int]string{22: "OURS\n"})}, "new/sub/s": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, map[int]string{3: "THEIRS\n"})}, "old/f2": {content: lines(21, 40, nil)}, "old/sub/s": {content: lines(41, 60, nil)},
			"old/added": {content: "added\n"}, "old/sub/added2": {content: "added2\n"}, "old/brand/new/x": {content: "x\n"}}},
	{"dir rename: theirs renames",
		files{"top": {content: "t\n"}, "a/b/f1": {content: lines(1, 20, nil)}, "a/b/f2": {content: lines(21, 40, nil)}, "a/c/g": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "a/b/f1": {content: lines(1, 20, nil)}, "a/b/f2": {content: lines(21, 40, nil)}, "a/c/g": {content: lines(41, 60, nil)}, "a/b/mine": {content: "mine\n"}, "a/c/h": {content: "h\n"}},
		files{"top": {content: "t\n"}, "x/y/b/f1": {content: lines(1, 20, map[int]string{5: "T\n"})}, "x/y/b/f2": {content: lines(21, 40, nil)}, "x/y/c/g": {content: lines(41, 60, nil)}}},
	{"dir rename: transitive",
		files{"f": {content: lines(1, 20, nil)}, "old/f1": {content: lines(21, 40, nil)}, "old/f2": {content: lines(41, 60, nil)}},
		files{"f": {content: lines(1, 20, map[int]string{20: "OURS\n"})}, "new/f1": {content: lines(21, 40, nil)}, "new/f2": {content: lines(41, 60, nil)}},
		files{"old/fx": {content: lines(1, 20, map[int]string{1: "THEIRS\n"})}, "old/f1": {content: lines(21, 40, nil)}, "old/f2": {content: lines(41, 60, nil)}}},
	{"dir rename: split",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/f3": {content: lines(41, 60, nil)}, "old/sub/s": {content: lines(61, 80, nil)}},
		files{"top": {content: "t\n"}, "n1/f1": {content: lines(1, 20, nil)}, "n2/f2": {content: lines(21, 40, nil)}, "n1/f3": {content: lines(41, 60, nil)}, "n2/sub/s": {content: lines(61, 80, nil)}},
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/f3": {content: lines(41, 60, nil)}, "old/sub/s": {content: lines(61, 80, nil)},
			"old/added": {content: "added\n"}, "old/sub/added2": {content: "added2\n"}}},
	{"dir rename: split only",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "n1/f1": {content: lines(1, 20, nil)}, "n2/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/added": {content: "added\n"}}},
	{"dir rename: own file in the way",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "new/f1": {content: lines(1, 20, nil)}, "new/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/x": {content: "x1\n"}, "new/x": {content: "x2\n"}}},
	{"dir rename: two paths to one",
		files{"top": {content: "t\n"}, "a/f1": {content: lines(1, 20, nil)}, "b/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "n/f1": {content: lines(1, 20, nil)}, "n/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "a/f1": {content: lines(1, 20, nil)}, "b/f2": {content: lines(21, 40, nil)}, "a/x": {content: "x1\n"}, "b/x": {content: "x2\n"}}},
	{"dir rename: modify/delete inside",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/gone": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "new/f1": {content: lines(1, 20, nil)}, "new/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/gone": {content: lines(41, 60, map[int]string{50: "T\n"})}, "old/added": {content: "a\n"}}},
	{"dir rename: renamed inside on the other side",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/f3": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "new/f1": {content: lines(1, 20, nil)}, "new/f2": {content: lines(21, 40, nil)}, "new/f3": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/g3": {content: lines(41, 60, map[int]string{50: "T\n"})}}},
	{"dir rename: file renamed in by the other side, modified",
		files{"top": {content: "t\n"}, "x": {content: lines(61, 80, nil)}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "x": {content: lines(61, 80, map[int]string{62: "O\n"})}, "new/f1": {content: lines(1, 20, nil)}, "new/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "old/x": {content: lines(61, 80, map[int]string{79: "T\n"})}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}}},
	{"dir rename: only new subdirectories added",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/sub/s": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "new/f1": {content: lines(1, 20, nil)}, "new/f2": {content: lines(21, 40, nil)}, "new/sub/s": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/sub/s": {content: lines(41, 60, nil)},
			"old/brand/x": {content: "x\n"}, "old/sub/added2": {content: "added2\n"}}},
	{"dir rename: by both sides alike, adds follow",
		files{"top": {content: "t\n"}, "b/f6": {content: lines(1, 20, nil)}, "c/f7": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "x/f6": {content: lines(1, 20, nil)}, "c/f7": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "x/f6": {content: lines(1, 20, nil)}, "c/f7": {content: lines(21, 40, nil)}, "b/add": {content: "a\n"}}},
	{"dir rename: exact rename from a removed directory moves along",
		files{"top": {content: "t\n"}, "b/f1": {content: lines(1, 20, nil)}, "c/f2": {content: lines(21, 40, nil)}, "c/f4": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "y/f1": {content: lines(1, 20, nil)}, "c/f2": {content: lines(21, 40, nil)}, "c/f4": {content: lines(41, 60, map[int]string{42: "O\n"})}},
		files{"top": {content: "t\n"}, "b/f1": {content: lines(1, 20, nil)}, "b/f2": {content: lines(21, 40, nil)}, "r/f4": {content: lines(41, 60, nil)}}},
	{"dir rename: no renames looked for on the other side",
		files{"top": {content: "t\n"}, "b/f1": {content: lines(1, 20, nil)}, "c/f2": {content: lines(21, 40, nil)}, "c/f4": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "y/f1": {content: lines(1, 20, nil)}, "c/f2": {content: lines(21, 40, nil)}, "c/f4": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "b/f1": {content: lines(1, 20, nil)}, "b/f2": {content: lines(21, 40, nil)}, "r/f4": {content: lines(41, 60, nil)}}},
	{"dir rename: into a directory the other side renamed away",
		files{"top": {content: "t\n"}, "b/f2": {content: lines(1, 20, nil)}, "c/f1": {content: lines(21, 40, nil)}, "c/f6": {content: lines(41, 60, nil)}},
		files{"top": {content: "t\n"}, "y/f2": {content: lines(1, 20, nil)}, "c/f1": {content: lines(21, 40, nil)}, "c/f6": {content: lines(41, 60, nil)}, "c/add1": {content: "o\n"}},
		files{"top": {content: "t\n"}, "b/f2": {content: lines(1, 20, nil)}, "b/f1": {content: lines(21, 40, nil)}, "b/f6": {content: lines(41, 60, nil)}}},
	{"dir rename: to root, in the way",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "f1": {content: lines(1, 20, nil)}, "f2": {content: lines(21, 40, nil)}, "clash": {content: "ours\n"}},
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}, "old/added": {content: "added\n"}, "old/clash": {content: "theirs\n"}}},
	{"dir rename: both sides",
		files{"top": {content: "t\n"}, "old/f1": {content: lines(1, 20, nil)}, "old/f2": {content: lines(21, 40, nil)}},
		files{"top": {content: "t\n"}, "o/f1": {content: lines(1, 20, nil)}, "o/f2": {content: lines(21, 40, nil)}, "o/mine": {content: "m\n"}},
		files{"top": {content: "t\n"}, "t/f1": {content: lines(1, 20, nil)}, "t/f2": {content: lines(21, 40, nil)}, "t/theirs": {content: "t\n"}}},
	{"rename/rename 1to2 modified",
		files{"old": {content: lines(1, 20, nil)}, "k": {content: "k\n"}},
		files{"a": {content: lines(1, 20, map[int]string{2: "OURS\n"})}, "k": {content: "k\n"}},
		files{"b": {content: lines(1, 20, map[int]string{19: "THEIRS\n"})}, "k": {content: "k\n"}}},
	{"rename/rename 1to2 conflicting",
		files{"old": {content: lines(1, 20, nil)}, "k": {content: "k\n"}},
		files{"a": {content: lines(1, 20, map[int]string{10: "OURS\n"})}, "k": {content: "k\n"}},
		files{"b": {content: lines(1, 20, map[int]string{10: "THEIRS\n"})}, "k": {content: "k\n"}}},
	{"rename/rename 2to1",
		files{"x": {content: lines(1, 20, nil)}, "y": {content: lines(31, 50, nil)}},
		files{"z": {content: lines(1, 20, map[int]string{2: "OURS\n"})}, "y": {content: lines(31, 50, map[int]string{45: "O\n"})}},
		files{"x": {content: lines(1, 20, map[int]string{19: "T\n"})}, "z": {content: lines(31, 50, map[int]string{32: "THEIRS\n"})}}},
	{"rename/add",
		files{"old": {content: lines(1, 20, nil)}, "k": {content: "k\n"}},
		files{"new": {content: lines(1, 20, map[int]string{2: "OURS\n"})}, "k": {content: "k\n"}},
		files{"old": {content: lines(1, 20, map[int]string{19: "THEIRS\n"})}, "new": {content: lines(101, 120, nil)}, "k": {content: "k\n"}}},
	{"rename/add with a conflicting rename",
		files{"old": {content: lines(1, 20, nil)}, "k": {content: "k\n"}},
		files{"new": {content: lines(1, 20, map[int]string{10: "OURS\n"})}, "k": {content: "k\n"}},
		files{"old": {content: lines(1, 20, map[int]string{10: "THEIRS\n"})}, "new": {content: lines(1, 20, map[int]string{1: "ADDED\n"})}, "k": {content: "k\n"}}},
	{"rename/delete modified",
		files{"old": {content: lines(1, 20, nil)}, "k": {content: "k\n"}},
		files{"new": {content: lines(1, 20, map[int]string{2: "OURS\n"})}, "k": {content: "k\n"}},
		files{"k": {content: "k\n"}}},
	{"delete/rename modified",
		files{"old": {content: lines(1, 20, nil)}, "k": {content: "k\n"}},
		files{"k": {content: "k\n"}},
		files{"new": {content: lines(1, 20, map[int]string{2: "T\n"})}, "k": {content: "k\n"}}},
	{"submodule modify/modify",
		files{"sub": {mode: "160000", content: "1111111111111111111111111111111111111111"}, "k": {content: "k\n"}},
		files{"sub": {mode: "160000", content: "2222222222222222222222222222222222222222"}, "k": {content: "k\n"}},
		files{"sub": {mode: "160000", content: "3333333333333333333333333333333333333333"}, "k": {content: "k\n"}}},
	{"submodule one side",
		files{"sub": {mode: "160000", content: "1111111111111111111111111111111111111111"}, "k": {content: "k\n"}},
		files{"sub": {mode: "160000", content: "2222222222222222222222222222222222222222"}, "k": {content: "k\n"}},
		files{"sub": {mode: "160000", content: "1111111111111111111111111111111111111111"}, "k": {content: "k2\n"}}},
	{"submodule add/add",
		files{"k": {content: "k\n"}},
		files{"sub": {mode: "160000", content: "2222222222222222222222222222222222222222"}, "k": {content: "k\n"}},
		files{"sub": {mode: "160000", content: "3333333333333333333333333333333333333333"}, "k": {content: "k\n"}}},
	{"submodule vs file",
		files{"sub": {mode: "160000", content: "1111111111111111111111111111111111111111"}, "k": {content: "k\n"}},
		files{"sub": {mode: "160000", content: "2222222222222222222222222222222222222222"}, "k": {content: "k\n"}},
		files{"sub": {content: "now a file\n"}, "k": {content: "k\n"}}},
	{"submodule deleted, modified",
		files{"sub": {mode: "160000", content: "1111111111111111111111111111111111111111"}, "k": {content: "k\n"}},
		files{"k": {content: "k\n"}},
		files{"sub": {mode: "160000", content: "3333333333333333333333333333333333333333"}, "k": {content: "k\n"}}},
	{"symlinks from a regular file",
		files{"s": {content: "x\n"}},
		files{"s": {mode: "120000", content: "t1"}},
		files{"s": {mode: "120000", content: "t2"}}},
	{"both changed dir alike",
		files{"d/a": {content: "a\n"}, "d/b": {content: "b\n"}},
		files{"d/a": {content: "a2\n"}},
		files{"d/a": {content: "a2\n"}}},
}

// stageLines renders conflicts as git merge-tree prints index stages.
func stageLines(cs []Conflict) []string {
	var out []string
	for _, c := range cs {
		for i, e := range []Entry{c.Base, c.Ours, c.Theirs} {
			if !e.Absent() {
				out = append(out, fmt.Sprintf("%06o %s %d\t%s", uint32(e.Mode), e.Hash, i+1, e.Path))
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestTreesParity(t *testing.T) {
	r := newGitRepo(t)
	repo, err := git.PlainOpen(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []Style{MergeStyle, Diff3} {
		for _, tc := range treeCases {
			got, want := r.mergeBoth(t, repo.Storer, tc.base, tc.ours, tc.theirs, style)
			t.Logf("%s/%s: clean=%v stages=%d tree=%s", tc.name, style, want.clean, len(want.stages), want.tree)
			if got.Clean() != want.clean {
				t.Errorf("Trees(%s, %s).Clean() = %v; want %v\n%s", tc.name, style, got.Clean(), want.clean, want.msgs)
			}
			gs := stageLines(got.Conflicts)
			if strings.Join(gs, "\n") != strings.Join(want.stages, "\n") {
				t.Errorf("Trees(%s, %s) stages =\n%s\nwant\n%s\n%s", tc.name, style, strings.Join(gs, "\n"), strings.Join(want.stages, "\n"), want.msgs)
			}
			if got.Tree.String() != want.tree {
				t.Errorf("Trees(%s, %s) = tree %s; want %s\ngot:\n%s\nwant:\n%s", tc.name, style, got.Tree, want.tree,
					r.git(nil, "ls-tree", "-r", got.Tree.String()), r.git(nil, "ls-tree", "-r", want.tree))
			}
		}
	}
}

// TestRenameThresholdParity renames a file while changing more and more
// of it, across git's 50% similarity boundary, including lines longer
// than 64 bytes and CRLF lines.
func TestRenameThresholdParity(t *testing.T) {
	r := newGitRepo(t)
	repo, err := git.PlainOpen(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	body := func(n, changed int, long bool, eol string) string {
		var b strings.Builder
		for i := range n {
			pad := ""
			if long && i%3 == 0 {
				pad = strings.Repeat("x", 50+i)
			}
			if i < changed {
				fmt.Fprintf(&b, "changed line %d%s%s", i, pad, eol)
			} else {
				fmt.Fprintf(&b, "original line %d%s%s", i, pad, eol)
			}
		}
		return b.String()
	}
	for _, long := range []bool{false, true} {
		for _, eol := range []string{"\n", "\r\n"} {
			for changed := 7; changed <= 13; changed++ {
				base := files{"old": {content: body(20, 0, long, eol)}}
				ours := files{"dir/new": {content: body(20, changed, long, eol)}}
				theirs := files{"old": {content: body(20, 0, long, eol) + "tail" + eol}}
				got, want := r.mergeBoth(t, repo.Storer, base, ours, theirs, MergeStyle)
				if got.Tree.String() != want.tree || strings.Join(stageLines(got.Conflicts), "\n") != strings.Join(want.stages, "\n") {
					t.Errorf("Trees(rename with %d of 20 lines changed, long=%v, eol=%q) = %s %v; want %s %v",
						changed, long, eol, got.Tree, stageLines(got.Conflicts), want.tree, want.stages)
				}
			}
		}
	}
}

// TestSimilarityParity checks similarity scores exactly against git: for
// each pair, git must see a rename at a threshold of our score and not
// one step above it. Large files with many distinct lines make chunks
// share hash buckets, which git counts as equal.
func TestSimilarityParity(t *testing.T) {
	r := newGitRepo(t)
	rng := rand.New(rand.NewSource(9))
	n := 12
	if testing.Short() {
		n = 4
	}
	detected := func(c1, c2 string, score int) bool {
		if score > maxScore {
			return false
		}
		// -M<digits> is a fraction; ceil(5s/3) hundred-thousandths of
		// maxScore floor back to s.
		num := (5*score + 2) / 3
		out := r.git(nil, "diff", "--name-status", fmt.Sprintf("-M%05d", num), c1, c2)
		return strings.HasPrefix(out, "R")
	}
	for i := range n {
		var a, b strings.Builder
		size := 2000 + rng.Intn(8000)
		for j := range size {
			line := fmt.Sprintf("line %d %x", j, rng.Int63())
			if rng.Intn(8) == 0 {
				line += strings.Repeat("-", 40+rng.Intn(100))
			}
			a.WriteString(line + "\n")
			if rng.Intn(100) < 40+i%20 {
				fmt.Fprintf(&b, "other %d %x\n", j, rng.Int63())
			} else {
				b.WriteString(line + "\n")
			}
		}
		c1 := r.commit(r.tree(files{"src": {content: a.String()}}), "a")
		c2 := r.commit(r.tree(files{"dst": {content: b.String()}}), "b", c1)
		s := similarity(newSignature([]byte(a.String())), newSignature([]byte(b.String())), 0)
		if !detected(c1, c2, s) || detected(c1, c2, s+1) {
			t.Errorf("similarity(pair %d) = %d; git's score differs", i, s)
		}
	}
}

// TestTreesRandomParity merges random trees where each side modifies,
// deletes, adds and renames files and whole directories, against git.
func TestTreesRandomParity(t *testing.T) {
	r := newGitRepo(t)
	repo, err := git.PlainOpen(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(22))
	n := 40
	if testing.Short() {
		n = 10
	}
	dirs := []string{"a", "b", "a/s", "c", "a/s/t", "d/e"}
	name := func(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
	num := func(p string) int {
		k, _ := strconv.Atoi(strings.TrimPrefix(name(p), "f"))
		return k
	}
	for it := range n {
		base := files{}
		for i := range 6 + rng.Intn(12) {
			base[fmt.Sprintf("%s/f%d", dirs[rng.Intn(len(dirs))], i)] = fileSpec{content: lines(i*100, i*100+19, nil)}
		}
		mutate := func(tag string) files {
			f := files{}
			for k, v := range base {
				f[k] = v
			}
			for range 1 + rng.Intn(8) {
				var ks []string
				for k := range f {
					ks = append(ks, k)
				}
				if len(ks) == 0 {
					break
				}
				sort.Strings(ks)
				k := ks[rng.Intn(len(ks))]
				switch rng.Intn(7) {
				case 0: // modify
					if strings.HasPrefix(name(k), "f") {
						i := num(k)
						f[k] = fileSpec{content: lines(i*100, i*100+19, map[int]string{i*100 + rng.Intn(20): tag + "\n"})}
					}
				case 1: // delete
					delete(f, k)
				case 2: // rename a file
					v := f[k]
					delete(f, k)
					f[[]string{"a", "b", "n", "a/s", "m/s"}[rng.Intn(5)]+"/"+name(k)] = v
				case 3: // rename a directory
					d := dirs[rng.Intn(len(dirs))]
					nd := []string{"x", "y", "b/z", "n"}[rng.Intn(4)]
					for _, kk := range ks {
						if strings.HasPrefix(kk, d+"/") {
							v := f[kk]
							delete(f, kk)
							f[nd+kk[len(d):]] = v
						}
					}
				case 4, 5: // add
					f[fmt.Sprintf("%s/add%d", []string{"a", "b", "a/s", "c", "a/new"}[rng.Intn(5)], rng.Intn(3))] = fileSpec{content: tag + " added\n"}
				case 6: // rename and modify
					if strings.HasPrefix(name(k), "f") {
						i := num(k)
						delete(f, k)
						f["r/"+name(k)] = fileSpec{content: lines(i*100, i*100+19, map[int]string{i*100 + rng.Intn(20): tag + "\n"})}
					}
				}
			}
			return f
		}
		ours, theirs := mutate("OURS"), mutate("THEIRS")
		got, want := r.mergeBoth(t, repo.Storer, base, ours, theirs, MergeStyle)
		if got.Tree.String() != want.tree || got.Clean() != want.clean ||
			strings.Join(stageLines(got.Conflicts), "\n") != strings.Join(want.stages, "\n") {
			t.Errorf("Trees(random case %d) = %s clean=%v %v; want %s clean=%v %v\n%s", it,
				got.Tree, got.Clean(), stageLines(got.Conflicts), want.tree, want.clean, want.stages, want.msgs)
		}
	}
}
