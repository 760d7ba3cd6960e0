package config

import (
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// lineOf finds the line where a key such as "track[1].name" or
// "deploy.environment[0].health" is set, so value errors can name it. It
// returns 0 when the key is not written in the document (a default).
func lineOf(data []byte, key string) int {
	if key == "" {
		return 0
	}
	lines, _ := index(data)
	// The exact key, else its closest written parent.
	for k := key; k != ""; {
		if l, ok := lines[k]; ok {
			return l
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// findValue returns the first key whose scalar value is written as value.
func findValue(data []byte, value string) (key string, line int) {
	lines, values := index(data)
	for _, kv := range values {
		if kv.value == value {
			return kv.key, lines[kv.key]
		}
	}
	return "", 0
}

type keyValue struct{ key, value string }

// index maps every written key (array tables addressed as name[i]) to its
// line, and lists the scalar values in document order.
func index(data []byte) (map[string]int, []keyValue) {
	lines := map[string]int{}
	var values []keyValue
	counts := map[string]int{}
	var prefix string
	p := unstable.Parser{}
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			name := joinKey(e.Key())
			if e.Kind == unstable.ArrayTable {
				base := indexPath(name, counts)
				prefix = fmt.Sprintf("%s[%d]", base, counts[base])
				counts[base]++
				if _, ok := lines[base]; !ok {
					lines[base] = lineAt(&p, e)
				}
			} else {
				prefix = indexPath(name, counts)
			}
			if _, ok := lines[prefix]; !ok {
				lines[prefix] = lineAt(&p, e)
			}
		case unstable.KeyValue:
			full := joinKey(e.Key())
			if prefix != "" {
				full = prefix + "." + full
			}
			lines[full] = lineAt(&p, e)
			if v := e.Value(); v != nil {
				values = append(values, keyValue{full, string(v.Data)})
			}
		}
	}
	return lines, values
}

// indexPath rewrites a dotted table name so that array tables seen so far are
// addressed by their last index: deploy.environment.health becomes
// deploy.environment[1].health.
func indexPath(name string, counts map[string]int) string {
	parts := strings.Split(name, ".")
	out := ""
	for i, part := range parts {
		if i > 0 {
			out += "."
		}
		out += part
		if n, ok := counts[out]; ok && i < len(parts)-1 {
			out = fmt.Sprintf("%s[%d]", out, n-1)
		}
	}
	return out
}

func joinKey(it unstable.Iterator) string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return strings.Join(parts, ".")
}

func lineAt(p *unstable.Parser, e *unstable.Node) int {
	it := e.Key()
	if it.Next() {
		if n := it.Node(); n.Raw.Length > 0 {
			return p.Shape(n.Raw).Start.Line
		}
	}
	return 0
}
