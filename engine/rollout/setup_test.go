package rollout

import (
	"errors"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/config"
	"github.com/switchyard/switchyard/engine/rollout/health"
	"github.com/switchyard/switchyard/engine/rollout/sim"
	"github.com/switchyard/switchyard/engine/rollout/traffic"
	"github.com/switchyard/switchyard/model"
)

const setupDoc = `
[deploy]
warmup = "3s"
[[deploy.wave]]
weight = 20
[deploy.wave.analysis]
interval = "7s"
failure_limit = 2
[[deploy.wave]]
weight = 100
[deploy.analysis]
interval = "4s"
count = 5
[[deploy.gate]]
name = "acceptance"
command = ["true"]
[[deploy.gate]]
name = "load"
command = ["true"]
[[deploy.environment]]
name = "int"
track = "dev"
gates = ["load"]
[deploy.environment.health]
urls = ["{url}/healthz"]
[deploy.environment.traffic]
driver = "nginx"
file = "up.conf"
blue = "127.0.0.1:8001"
green = "127.0.0.1:8002"
[[deploy.environment]]
name = "stg"
track = "prod"
[deploy.environment.health]
provider = "prometheus"
prometheus = "http://127.0.0.1:9090"
query = "up"
adoption = "count by (build) (app_build_info)"
[deploy.environment.traffic]
driver = "command"
command = ["./shift.sh"]
[[deploy.environment]]
name = "demo"
track = "prod"
url = "http://demo-{slot}:80"
[deploy.environment.traffic]
driver = "sim"
nodes = 10
[[deploy.environment]]
name = "prod"
track = "prod"
[deploy.environment.health]
provider = "command"
command = ["true"]
[deploy.environment.traffic]
driver = "bin"
[[deploy.environment.wave]]
weight = 100
`

func TestNewSetup(t *testing.T) {
	cfg, err := config.Parse("x.toml", []byte(setupDoc))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Root = "/src"
	store := &Store{Dir: t.TempDir()}

	s, err := NewSetup(cfg, "int", store, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ng, ok := s.Env.Traffic.(*traffic.Nginx)
	if !ok || ng.File != "/src/up.conf" || s.Env.URL(model.Green) != "http://127.0.0.1:8002" {
		t.Errorf("int traffic = %#v, green URL %q", s.Env.Traffic, s.Env.URL(model.Green))
	}
	if _, ok := s.Env.Health.(*health.HTTP); !ok {
		t.Errorf("int health = %T; want http", s.Env.Health)
	}
	if len(s.Env.Gates) != 1 || s.Env.Gates[0].Name != "load" {
		t.Errorf("int gates = %+v; want only load", s.Env.Gates)
	}
	want := []Wave{{Weight: 20, Interval: 7 * time.Second, Count: 5, FailureLimit: 2}, {Weight: 100, Interval: 4 * time.Second, Count: 5}}
	if len(s.Env.Waves) != 2 || s.Env.Waves[0] != want[0] || s.Env.Waves[1] != want[1] {
		t.Errorf("int waves = %+v; want %+v", s.Env.Waves, want)
	}
	if s.Env.Warmup != 3*time.Second || s.Env.WarmupChecks != 5 {
		t.Errorf("int warm-up %s × %d", s.Env.Warmup, s.Env.WarmupChecks)
	}

	s, err = NewSetup(cfg, "stg", store, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Env.Traffic.(*traffic.Command); !ok || s.Env.Slots == nil {
		t.Errorf("stg traffic = %T, slots %v; want command with slots", s.Env.Traffic, s.Env.Slots)
	}
	if _, ok := s.Env.Adopter.(*health.Prometheus); !ok || len(s.Env.Gates) != 2 {
		t.Errorf("stg adopter = %T, gates %d; want prometheus, 2", s.Env.Adopter, len(s.Env.Gates))
	}

	s, err = NewSetup(cfg, "demo", store, Deps{LiveBuild: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Fleet == nil || s.Fleet.Nodes() != 10 || s.Env.URL(model.Blue) != "http://demo-blue:80" {
		t.Errorf("demo fleet %v, blue URL %q", s.Fleet, s.Env.URL(model.Blue))
	}
	if _, ok := s.Env.Health.(*sim.Health); !ok {
		t.Errorf("demo health = %T; want sim", s.Env.Health)
	}

	if _, err := NewSetup(cfg, "prod", store, Deps{}); !errors.Is(err, ErrNoBinRepo) {
		t.Errorf("bin environment without a bin repo = %v; want ErrNoBinRepo", err)
	}
	if _, err := NewSetup(cfg, "qa", store, Deps{}); !errors.Is(err, ErrNoEnvironment) {
		t.Errorf("unknown environment = %v; want ErrNoEnvironment", err)
	}
}
