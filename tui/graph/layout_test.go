package graph

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// render lays out nodes and prints rows as git log --graph --format=%s does.
func render(nodes []Node, subject func(i int) string) string {
	var l Layout
	l.Add(nodes...)
	var b strings.Builder
	for _, r := range l.Rows {
		b.WriteString(r.Glyphs)
		if r.Commit >= 0 {
			b.WriteString(" " + subject(r.Commit))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// normalize compares shapes: runs of spaces count as one.
func normalize(s string) string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		out = append(out, strings.Join(strings.Fields(line), " "))
	}
	return strings.Join(out, "\n")
}

func TestLayoutShapes(t *testing.T) {
	tests := []struct {
		name  string
		nodes []Node
		want  string
	}{
		{"linear", []Node{{"c", []string{"b"}}, {"b", []string{"a"}}, {"a", nil}}, `
* c
* b
* a`},
		{"branch and merge", []Node{
			{"m", []string{"a2", "b2"}}, {"b2", []string{"b1"}}, {"b1", []string{"o"}},
			{"a2", []string{"a1"}}, {"a1", []string{"o"}}, {"o", nil},
		}, `
* m
|\
| * b2
| * b1
* | a2
* | a1
|/
* o`},
		{"two roots", []Node{{"b", []string{"a"}}, {"a", nil}, {"x", nil}}, `
* b
* a
* x`},
		{"collapse across a lane", []Node{
			{"m", []string{"a", "b"}}, {"b", []string{"o"}}, {"c", nil}, {"a", []string{"o"}}, {"o", nil},
		}, `
* m
|\
| * b
| | * c
* | a
|/
* o`},
	}
	for _, tt := range tests {
		got := render(tt.nodes, func(i int) string { return tt.nodes[i].ID })
		if normalize(got) != normalize(tt.want) {
			t.Errorf("%s: layout =\n%s\nwant\n%s", tt.name, got, strings.TrimSpace(tt.want))
		}
	}
}

// TestLayoutMatchesGit builds fixture repositories with the git CLI and
// compares the lanes with git log --graph.
func TestLayoutMatchesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	scripts := map[string][]string{
		"linear": {"c one", "c two", "c three"},
		"branch and merge": {
			"c base", "b feat", "c b1", "c b2", "o main", "c a1", "c a2", "m feat", "c after",
		},
		"two branches": {
			"c base", "b feat", "c b1", "c b2", "o main", "c a1", "c a2", "m feat", "c after",
			"B f2 HEAD~3", "c x1", "o main", "m f2",
		},
		"merge of merges": {
			"c base", "b t1", "c t1a", "o main", "b t2", "c t2a", "c t2b", "o main", "c m1",
			"m t1", "c m2", "m t2", "c top",
		},
	}
	for name, script := range scripts {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			git := func(args ...string) string {
				t.Helper()
				cmd := exec.Command("git", args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(),
					"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
					"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com",
					"GIT_AUTHOR_DATE=2020-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2020-01-01T00:00:00Z",
					"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
				return string(out)
			}
			git("init", "-q", "-b", "main")
			for _, step := range script {
				op, arg, _ := strings.Cut(step, " ")
				switch op {
				case "c":
					git("commit", "-q", "--allow-empty", "-m", arg)
				case "b":
					git("checkout", "-q", "-b", arg)
				case "B":
					f := strings.Fields(arg)
					git("checkout", "-q", "-b", f[0], f[1])
				case "o":
					git("checkout", "-q", arg)
				case "m":
					git("merge", "-q", "--no-ff", "-m", "merge "+arg, arg)
				}
			}
			want := git("log", "--graph", "--format=%s")
			var nodes []Node
			var subjects []string
			for _, line := range strings.Split(strings.TrimSpace(git("log", "--topo-order", "--format=%H %P%x00%s")), "\n") {
				ids, subj, _ := strings.Cut(line, "\x00")
				f := strings.Fields(ids)
				nodes = append(nodes, Node{ID: f[0], Parents: f[1:]})
				subjects = append(subjects, subj)
			}
			got := render(nodes, func(i int) string { return subjects[i] })
			if normalize(got) != normalize(want) {
				t.Errorf("layout =\n%s\ngit log --graph =\n%s", got, want)
			}
		})
	}
	_ = filepath.Join
}
