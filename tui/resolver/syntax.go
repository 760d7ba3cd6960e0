package resolver

import (
	"path"
	"strings"
)

// tokenKind classifies a stretch of a source line for colouring.
type tokenKind int

const (
	tokPlain tokenKind = iota
	tokKeyword
	tokString
	tokComment
	tokNumber
)

// token is a stretch of a line of one kind.
type token struct {
	kind tokenKind
	text string
}

// language is the little the highlighter knows of a file type: its
// keywords, how its line comments start and which quotes delimit strings.
type language struct {
	name     string
	keywords map[string]bool
	comments []string // line comment openers
	quotes   string   // string delimiters
	keyLike  bool     // "key =" / "key:" at the start of a line is a keyword (toml, yaml)
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var (
	langGo = &language{name: "go", comments: []string{"//"}, quotes: "\"'`", keywords: words(
		`break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var nil true false iota`)}
	langJS = &language{name: "js", comments: []string{"//"}, quotes: "\"'`", keywords: words(
		`async await break case catch class const continue debugger default delete do else export extends finally for from function if import in instanceof let new null of return static super switch this throw true false try typeof undefined var void while yield interface type enum implements readonly`)}
	langPy = &language{name: "py", comments: []string{"#"}, quotes: "\"'", keywords: words(
		`and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield None True False self`)}
	langSh = &language{name: "sh", comments: []string{"#"}, quotes: "\"'", keywords: words(
		`if then else elif fi for while until do done case esac in function return local export set unset readonly shift exit echo`)}
	langTOML = &language{name: "toml", comments: []string{"#"}, quotes: "\"'", keyLike: true, keywords: words(`true false`)}
	langYAML = &language{name: "yaml", comments: []string{"#"}, quotes: "\"'", keyLike: true, keywords: words(`true false null yes no on off`)}
	langJSON = &language{name: "json", quotes: "\"", keywords: words(`true false null`)}
)

// languageFor picks the highlighter for a file by its name; nil means
// plain text.
func languageFor(name string) *language {
	base := path.Base(name)
	switch base {
	case "Makefile", "Dockerfile", ".bashrc", ".profile":
		return langSh
	}
	switch strings.ToLower(path.Ext(base)) {
	case ".go":
		return langGo
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx":
		return langJS
	case ".py":
		return langPy
	case ".sh", ".bash", ".zsh":
		return langSh
	case ".toml":
		return langTOML
	case ".yaml", ".yml":
		return langYAML
	case ".json":
		return langJSON
	}
	return nil
}

// tokenize splits one line (already made inert) into coloured stretches.
// It is a line-at-a-time approximation: enough to tell keywords, strings
// and comments apart at a glance, never a parser.
func tokenize(line string, lang *language) []token {
	if lang == nil || line == "" {
		return []token{{tokPlain, line}}
	}
	var out []token
	emit := func(k tokenKind, s string) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].kind == k {
			out[n-1].text += s
			return
		}
		out = append(out, token{k, s})
	}
	i := 0
	if lang.keyLike {
		if k := keyEnd(line); k > 0 {
			lead := len(line) - len(strings.TrimLeft(line, " -"))
			emit(tokPlain, line[:lead])
			emit(tokKeyword, line[lead:k])
			i = k
		}
	}
	for i < len(line) {
		rest := line[i:]
		if c := commentAt(rest, lang); c {
			emit(tokComment, rest)
			break
		}
		ch := line[i]
		if strings.IndexByte(lang.quotes, ch) >= 0 {
			j := i + 1
			for j < len(line) && line[j] != ch {
				if line[j] == '\\' && ch != '`' {
					j++
				}
				j++
			}
			if j < len(line) {
				j++
			} else {
				j = len(line)
			}
			emit(tokString, line[i:j])
			i = j
			continue
		}
		if isIdentStart(ch) {
			j := i + 1
			for j < len(line) && isIdent(line[j]) {
				j++
			}
			w := line[i:j]
			if lang.keywords[w] {
				emit(tokKeyword, w)
			} else {
				emit(tokPlain, w)
			}
			i = j
			continue
		}
		if ch >= '0' && ch <= '9' {
			j := i + 1
			for j < len(line) && (isIdent(line[j]) || line[j] == '.') {
				j++
			}
			emit(tokNumber, line[i:j])
			i = j
			continue
		}
		emit(tokPlain, line[i:i+1])
		i++
	}
	return out
}

func commentAt(s string, lang *language) bool {
	for _, c := range lang.comments {
		if strings.HasPrefix(s, c) {
			return true
		}
	}
	return false
}

// keyEnd returns the end of a leading "key" in "key = v" or "key: v"
// (toml, yaml), or 0.
func keyEnd(line string) int {
	start := len(line) - len(strings.TrimLeft(line, " -"))
	j := start
	for j < len(line) && (isIdent(line[j]) || line[j] == '.' || line[j] == '-') {
		j++
	}
	if j == start {
		return 0
	}
	rest := strings.TrimLeft(line[j:], " ")
	if strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, ":") {
		return j
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdent(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }
