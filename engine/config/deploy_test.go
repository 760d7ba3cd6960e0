package config

import (
	"strings"
	"testing"
	"time"
)

func TestDeployChecks(t *testing.T) {
	env := func(traffic string) string {
		return "[[deploy.environment]]\nname = \"prod\"\ntrack = \"prod\"\n[deploy.environment.health]\nprovider = \"command\"\ncommand = [\"true\"]\n[deploy.environment.traffic]\n" + traffic
	}
	tests := []struct {
		name, doc, want string
	}{
		{"bin with gray waves", "[[deploy.wave]]\nweight = 10\n[[deploy.wave]]\nweight = 100\n" + env("driver = \"bin\"\n"), "the bin driver moves every node at once"},
		{"bin with one wave", env("driver = \"bin\"\n") + "[[deploy.environment.wave]]\nweight = 100\n", ""},
		{"bin default waves", env("driver = \"bin\"\n"), ""},
		{"sim too many nodes", env("driver = \"sim\"\nnodes = 2000000\n"), "the sim fleet takes 1 to 1,000,000 nodes"},
		{"sim nodes", env("driver = \"sim\"\nnodes = 100000\n"), ""},
		{"nginx without servers", env("driver = \"nginx\"\nfile = \"up.conf\"\n"), "the nginx driver needs file, blue and green"},
		{"unknown key", env("driver = \"sim\"\nweight = 3\n"), "unknown key"},
	}
	for _, tt := range tests {
		_, err := Parse("x.toml", []byte(tt.doc))
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Parse = %v; want %q", tt.name, err, tt.want)
		}
	}
}

func TestDeployDefaults(t *testing.T) {
	c, err := Parse("x.toml", []byte("[[deploy.environment]]\nname = \"demo\"\ntrack = \"dev\"\n[deploy.environment.traffic]\ndriver = \"sim\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := c.Deploy.Environment("demo")
	if e.Health.Provider != "sim" || e.Traffic.Nodes != 1000 || e.Traffic.Pull.Std() != 2*time.Second || e.Traffic.Timeout.Std() != 5*time.Minute {
		t.Errorf("sim defaults = %+v / %+v", e.Health, e.Traffic)
	}
}

func TestAnalysisOf(t *testing.T) {
	doc := `[deploy.analysis]
interval = "4s"
count = 5
failure_limit = 2
inconclusive_limit = 3
[[deploy.wave]]
weight = 10
[[deploy.wave]]
weight = 20
[deploy.wave.analysis]
interval = "7s"
[[deploy.wave]]
weight = 50
[deploy.wave.analysis]
failure_limit = 0
[[deploy.wave]]
weight = 100
[deploy.wave.analysis]
count = 9
inconclusive_limit = 1
`
	c, err := Parse("x.toml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Analysis{
		{Interval: Dur(4 * time.Second), Count: 5, FailureLimit: 2, InconclusiveLimit: 3},
		{Interval: Dur(7 * time.Second), Count: 5, FailureLimit: 2, InconclusiveLimit: 3},
		{Interval: Dur(4 * time.Second), Count: 5, FailureLimit: 0, InconclusiveLimit: 3},
		{Interval: Dur(4 * time.Second), Count: 9, FailureLimit: 2, InconclusiveLimit: 1},
	}
	for i, w := range c.Deploy.Waves {
		if got := c.Deploy.AnalysisOf(w); got != want[i] {
			t.Errorf("AnalysisOf(wave %d) = %+v; want %+v", i+1, got, want[i])
		}
	}
}
