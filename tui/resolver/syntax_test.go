package resolver

import (
	"fmt"
	"strings"
	"testing"
)

func render(toks []token) string {
	var b strings.Builder
	names := map[tokenKind]string{tokPlain: "", tokKeyword: "K", tokString: "S", tokComment: "C", tokNumber: "N"}
	for _, t := range toks {
		if n := names[t.kind]; n != "" {
			fmt.Fprintf(&b, "%s{%s}", n, t.text)
		} else {
			b.WriteString(t.text)
		}
	}
	return b.String()
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		file, line, want string
	}{
		{"a.go", `func f() { return "x\"y" } // done`, `K{func} f() { K{return} S{"x\"y"} } C{// done}`},
		{"a.go", "x := 42", "x := N{42}"},
		{"a.go", "funky := iffy", "funky := iffy"},
		{"b.ts", "const s = `t`; // c", "K{const} s = S{`t`}; C{// c}"},
		{"c.py", "def f(): # why 'x'", "K{def} f(): C{# why 'x'}"},
		{"d.sh", `if [ "$a" ]; then echo hi; fi`, `K{if} [ S{"$a"} ]; K{then} K{echo} hi; K{fi}`},
		{"e.toml", `name = "spark" # n`, `K{name} = S{"spark"} C{# n}`},
		{"f.yaml", "  - image: nginx:1.2", "  - K{image}: nginx:N{1.2}"},
		{"g.json", `{"a": true, "b": 1}`, `{S{"a"}: K{true}, S{"b"}: N{1}}`},
		{"h.txt", `if "x" # y`, `if "x" # y`},
		{"a.go", `s := "unterminated`, `s := S{"unterminated}`},
		{"a.go", "ünïcode := 1", "ünïcode := N{1}"},
	}
	for _, tt := range tests {
		got := render(tokenize(tt.line, languageFor(tt.file)))
		if got != tt.want {
			t.Errorf("tokenize(%q, %s) = %s; want %s", tt.line, tt.file, got, tt.want)
		}
	}
}

func TestTokenizeKeepsText(t *testing.T) {
	lines := []string{`a "b \" c`, "`x", "#", "//", "1.2.3e", "é\"é"}
	for _, f := range []string{"a.go", "a.py", "a.toml", "a.json", "a.yml"} {
		for _, l := range lines {
			var b strings.Builder
			for _, tk := range tokenize(l, languageFor(f)) {
				b.WriteString(tk.text)
			}
			if b.String() != l {
				t.Errorf("tokenize(%q, %s) lost text: %q", l, f, b.String())
			}
		}
	}
}

func TestCommonIndent(t *testing.T) {
	tests := []struct {
		texts []string
		want  int
	}{
		{[]string{"        a\n", "        b\n", "            c\n"}, 8},
		{[]string{"\t\tx\n", "\ty\n", "\t\tz\n"}, 1},
		{[]string{"    a\n\n    b\n", "    c\n"}, 4}, // blank lines do not count
		{[]string{"  a\n", "\tb\n"}, 0},              // spaces and tabs differ
		{[]string{"", "", ""}, 0},
		{[]string{"x\n", "    y\n"}, 0},
	}
	for _, tt := range tests {
		if got := commonIndent(tt.texts...); got != tt.want {
			t.Errorf("commonIndent(%q) = %d; want %d", tt.texts, got, tt.want)
		}
	}
}
