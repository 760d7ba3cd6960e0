package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/assets"
)

func TestExampleParses(t *testing.T) {
	c, err := Parse("switchyard.example.toml", assets.ExampleConfig)
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	if got := c.Flow().Names(); got != "dev → prod" {
		t.Errorf("flow = %q; want dev → prod", got)
	}
	if c.Cycle.Std() != 7*24*time.Hour {
		t.Errorf("cycle = %v; want 168h", c.Cycle.Std())
	}
	if len(c.Deploy.Environments) != 3 || len(c.Deploy.Waves) != 4 {
		t.Errorf("environments = %d, waves = %d; want 3, 4", len(c.Deploy.Environments), len(c.Deploy.Waves))
	}
	if c.Bin == nil || c.Bin.Name != "app" {
		t.Errorf("bin = %+v; want name app", c.Bin)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse("empty.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Flow().Names(); got != "dev → prod" {
		t.Errorf("flow = %q", got)
	}
	if c.Bin != nil {
		t.Errorf("bin = %+v; want none", c.Bin)
	}
	if !c.Pick.TrailerOn() {
		t.Error("trailer off by default")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"syntax", "cycle = \n", "x.toml:1:"},
		{"unknown top key", "cycle = \"7d\"\ncolour = 1\n", "x.toml:2: colour: unknown key"},
		{"unknown nested key", "[[track]]\nname = \"dev\"\n[[track]]\nname = \"prod\"\nbrnch = \"x\"\n", "x.toml:5: track.brnch: unknown key"},
		{"bad duration", "cycle = \"soon\"\n", "x.toml:1: cycle:"},
		{"same track twice", "[[track]]\nname = \"dev\"\n[[track]]\nname = \"dev\"\n", `x.toml:4: track[1].name: track "dev" is given twice`},
		{"one track", "[[track]]\nname = \"dev\"\n", "x.toml:1: track: a flow needs at least two tracks, got 1"},
		{"bad regexp", "[kinds]\nhotfix = \"(\"\n", "x.toml:2: kinds.hotfix:"},
		{"bad style", "[pick]\nconflict_style = \"fancy\"\n", `x.toml:2: pick.conflict_style: "fancy" is not one of`},
		{"wrong type", "cycle = 7\n", "x.toml:1: cycle:"},
		{"env bad track", "[[deploy.environment]]\nname = \"staging\"\ntrack = \"qa\"\n[deploy.environment.traffic]\ndriver = \"sim\"\n", `x.toml:3: deploy.environment[0].track: environment "staging" names track "qa"`},
		{"second env bad driver", "[[deploy.environment]]\nname = \"a\"\ntrack = \"dev\"\n[deploy.environment.traffic]\ndriver = \"sim\"\n[[deploy.environment]]\nname = \"b\"\ntrack = \"prod\"\n[deploy.environment.traffic]\ndriver = \"teleport\"\n", `x.toml:10: deploy.environment[1].traffic.driver: "teleport"`},
		{"waves must grow", "[[deploy.wave]]\nweight = 50\n[[deploy.wave]]\nweight = 10\n", "x.toml:4: deploy.wave[1].weight: wave weights must grow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.toml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse(%q) = nil error; want %q", tt.doc, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse(%q) = %q; want prefix %q", tt.doc, err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "90s": 90 * time.Second, "1.5d": 36 * time.Hour} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "-1d", "7x"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = nil error", in)
		}
	}
}
