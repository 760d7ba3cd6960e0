package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Deploy is the [deploy] table: environments in order, default waves,
// warm-up, analysis and gates.
type Deploy struct {
	Environments []Environment `toml:"environment"` // in promotion order
	Waves        []Wave        `toml:"wave"`        // default gray waves; default: one wave of 100%
	Warmup       Duration      `toml:"warmup"`      // wait after green starts; default 5s
	Analysis     Analysis      `toml:"analysis"`    // default analysis of each wave
	Gates        []Gate        `toml:"gate"`        // run against green before traffic moves
}

// Environment is one [[deploy.environment]]: a stage bound to a track's bin
// branch, with blue and green slots.
type Environment struct {
	Name    string  `toml:"name"`
	Track   string  `toml:"track"`
	Health  Health  `toml:"health"`
	Traffic Traffic `toml:"traffic"`
	// Waves override the default waves for this environment.
	Waves []Wave `toml:"wave"`
	// Gates names the gates that run here; empty means all.
	Gates []string `toml:"gates"`
	// URL is a slot's base URL handed to gates ("{slot}" replaced by blue
	// or green); default: from the nginx servers or the sim services.
	URL string `toml:"url"`
}

// Health says how a slot's health is probed.
type Health struct {
	Provider string `toml:"provider"` // http, prometheus, command; default: sim for sim traffic, else http
	// http: URLs probed; "{slot}" is replaced by blue or green, "{url}" by
	// the slot's base URL (see Environment.URL).
	URLs []string `toml:"urls"`
	// Timeout of one probe; default 2s.
	Timeout Duration `toml:"timeout"`
	// Consecutive results that make a slot healthy / unhealthy; defaults 1 / 3.
	HealthyThreshold   int `toml:"healthy_threshold"`
	UnhealthyThreshold int `toml:"unhealthy_threshold"`
	// prometheus: the server and the queries ({slot} and {build} replaced).
	Prometheus string   `toml:"prometheus"`
	Query      string   `toml:"query"`    // healthy when the result is > 0 (or Max/Min below)
	Adoption   string   `toml:"adoption"` // e.g. count by (build) (app_build_info)
	Max        *float64 `toml:"max"`
	Min        *float64 `toml:"min"`
	// command: argv; exit 0 means healthy.
	Command []string `toml:"command"`
}

// Traffic says how traffic is moved between blue and green.
type Traffic struct {
	Driver string `toml:"driver"` // bin, nginx, command, sim
	// nginx: the upstream file written, the upstream name, the two servers,
	// and the reload command.
	File     string   `toml:"file"`
	Upstream string   `toml:"upstream"`
	Blue     string   `toml:"blue"`
	Green    string   `toml:"green"`
	Reload   []string `toml:"reload"`
	// Test checks nginx's configuration after the file is written
	// (e.g. ["nginx", "-t"]); a failing test puts the old file back.
	Test []string `toml:"test"`
	// Timeout of each command run by the nginx or command driver; default 5m.
	Timeout Duration `toml:"timeout"`
	// command: argv; receives SWITCHYARD_* variables with the weights.
	Command []string `toml:"command"`
	// sim: simulated nodes in the demo fleet; default 1000.
	Nodes int `toml:"nodes"`
	// sim: longest delay before a node adopts a new weight; default 2s.
	Pull Duration `toml:"pull"`
}

// Wave is one step of a gray rollout.
type Wave struct {
	Weight   int           `toml:"weight"`   // percent of traffic on green
	Approval bool          `toml:"approval"` // wait for a person before this wave
	Analysis *WaveAnalysis `toml:"analysis"` // overrides the default analysis
}

// WaveAnalysis overrides parts of the default analysis for one wave: what
// it leaves out (zero interval or count, absent limits) is inherited from
// [deploy.analysis]. The limits are pointers because 0 is a limit one may
// set ("no failure at all"), distinct from "not set".
type WaveAnalysis struct {
	Interval          Duration `toml:"interval"`
	Count             int      `toml:"count"`
	FailureLimit      *int     `toml:"failure_limit"`
	InconclusiveLimit *int     `toml:"inconclusive_limit"`
}

// AnalysisOf is the analysis that judges wave w: the default analysis with
// w's overrides applied.
func (d *Deploy) AnalysisOf(w Wave) Analysis {
	a := d.Analysis
	o := w.Analysis
	if o == nil {
		return a
	}
	if o.Interval.D != 0 {
		a.Interval = o.Interval
	}
	if o.Count != 0 {
		a.Count = o.Count
	}
	if o.FailureLimit != nil {
		a.FailureLimit = *o.FailureLimit
	}
	if o.InconclusiveLimit != nil {
		a.InconclusiveLimit = *o.InconclusiveLimit
	}
	return a
}

// Analysis is how a wave is judged: Count measurements Interval apart; more
// than FailureLimit failures fail the wave, more than InconclusiveLimit
// inconclusive ones pause it for a person.
type Analysis struct {
	Interval          Duration `toml:"interval"` // default 2s
	Count             int      `toml:"count"`    // default 3
	FailureLimit      int      `toml:"failure_limit"`
	InconclusiveLimit int      `toml:"inconclusive_limit"`
}

// Gate is a command run against green before traffic moves (acceptance
// tests, load tests). It receives SWITCHYARD_ENV, SWITCHYARD_SLOT,
// SWITCHYARD_URL and SWITCHYARD_BUILD.
type Gate struct {
	Name    string   `toml:"name"`
	Command []string `toml:"command"`
	Timeout Duration `toml:"timeout"` // default 5m
}

// WavesFor returns the waves of the named environment (its own or the default).
func (d *Deploy) WavesFor(env string) []Wave {
	for _, e := range d.Environments {
		if e.Name == env && len(e.Waves) > 0 {
			return e.Waves
		}
	}
	return d.Waves
}

// Environment returns the named environment.
func (d *Deploy) Environment(name string) (Environment, bool) {
	for _, e := range d.Environments {
		if e.Name == name {
			return e, true
		}
	}
	return Environment{}, false
}

func (d *Deploy) applyDefaults() {
	if len(d.Waves) == 0 {
		d.Waves = []Wave{{Weight: 100}}
	}
	if d.Warmup.D == 0 {
		d.Warmup = Dur(5 * time.Second)
	}
	d.Analysis.applyDefaults()
	for i := range d.Gates {
		if d.Gates[i].Timeout.D == 0 {
			d.Gates[i].Timeout = Dur(5 * time.Minute)
		}
	}
	for i := range d.Environments {
		e := &d.Environments[i]
		if e.Health.Provider == "" {
			if e.Traffic.Driver == "sim" {
				e.Health.Provider = "sim"
			} else {
				e.Health.Provider = "http"
			}
		}
		if e.Health.Timeout.D == 0 {
			e.Health.Timeout = Dur(2 * time.Second)
		}
		if e.Health.HealthyThreshold == 0 {
			e.Health.HealthyThreshold = 1
		}
		if e.Health.UnhealthyThreshold == 0 {
			e.Health.UnhealthyThreshold = 3
		}
		if e.Traffic.Driver == "sim" && e.Traffic.Nodes == 0 {
			e.Traffic.Nodes = 1000
		}
		if e.Traffic.Driver == "sim" && e.Traffic.Pull.D == 0 {
			e.Traffic.Pull = Dur(2 * time.Second)
		}
		if e.Traffic.Timeout.D == 0 {
			e.Traffic.Timeout = Dur(5 * time.Minute)
		}
	}
}

func (a *Analysis) applyDefaults() {
	if a.Interval.D == 0 {
		a.Interval = Dur(2 * time.Second)
	}
	if a.Count == 0 {
		a.Count = 3
	}
}

func (d *Deploy) validate(tracks map[string]bool) *Error {
	if e := validateWaves("deploy.wave", d.Waves); e != nil {
		return e
	}
	gates := map[string]bool{}
	for i, g := range d.Gates {
		key := fmt.Sprintf("deploy.gate[%d]", i)
		if g.Name == "" {
			return bad(key+".name", "a gate needs a name")
		}
		if gates[g.Name] {
			return bad(key+".name", "gate %q is given twice", g.Name)
		}
		gates[g.Name] = true
		if len(g.Command) == 0 {
			return bad(key+".command", "gate %q needs a command (an argument list)", g.Name)
		}
	}
	envs := map[string]bool{}
	for i, e := range d.Environments {
		key := fmt.Sprintf("deploy.environment[%d]", i)
		if e.Name == "" {
			return bad(key+".name", "an environment needs a name")
		}
		if envs[e.Name] {
			return bad(key+".name", "environment %q is given twice", e.Name)
		}
		envs[e.Name] = true
		if !tracks[e.Track] {
			return bad(key+".track", "environment %q names track %q, which is not configured", e.Name, e.Track)
		}
		switch e.Traffic.Driver {
		case "bin":
			waves := e.Waves
			if len(waves) == 0 {
				waves = d.Waves
			}
			if len(waves) != 1 {
				return bad(key+".traffic.driver", "the bin driver moves every node at once: give environment %q one wave of 100 ([[deploy.environment.wave]] weight = 100)", e.Name)
			}
		case "sim":
			if e.Traffic.Nodes < 0 || e.Traffic.Nodes > 1000000 {
				return bad(key+".traffic.nodes", "the sim fleet takes 1 to 1,000,000 nodes, got %d", e.Traffic.Nodes)
			}
		case "nginx":
			if e.Traffic.File == "" || e.Traffic.Blue == "" || e.Traffic.Green == "" {
				return bad(key+".traffic", "the nginx driver needs file, blue and green")
			}
		case "command":
			if len(e.Traffic.Command) == 0 {
				return bad(key+".traffic.command", "the command driver needs a command")
			}
		case "":
			return bad(key+".traffic.driver", "environment %q needs a traffic driver (bin, nginx, command or sim)", e.Name)
		default:
			return bad(key+".traffic.driver", "%q is not one of bin, nginx, command, sim", e.Traffic.Driver)
		}
		h := e.Health
		switch h.Provider {
		case "sim":
			if e.Traffic.Driver != "sim" {
				return bad(key+".health.provider", "the sim health provider only goes with the sim traffic driver")
			}
		case "http":
			if len(h.URLs) == 0 {
				return bad(key+".health.urls", "the http health provider needs urls")
			}
			for j, u := range h.URLs {
				if strings.HasPrefix(u, "{url}") {
					continue // checked when the slot's URL is known
				}
				if p, err := url.Parse(strings.ReplaceAll(u, "{slot}", "blue")); err != nil || (p.Scheme != "http" && p.Scheme != "https") {
					return bad(fmt.Sprintf("%s.health.urls[%d]", key, j), "%q is not an http(s) URL", u)
				}
			}
		case "prometheus":
			if h.Prometheus == "" || h.Query == "" {
				return bad(key+".health", "the prometheus health provider needs prometheus (the server URL) and query")
			}
		case "command":
			if len(h.Command) == 0 {
				return bad(key+".health.command", "the command health provider needs a command")
			}
		default:
			return bad(key+".health.provider", "%q is not one of http, prometheus, command, sim", h.Provider)
		}
		for _, g := range e.Gates {
			if !gates[g] {
				return bad(key+".gates", "gate %q is not defined in [[deploy.gate]]", g)
			}
		}
		if err := validateWaves(key+".wave", e.Waves); err != nil {
			return err
		}
	}
	return nil
}

func validateWaves(key string, waves []Wave) *Error {
	last := 0
	for i, w := range waves {
		k := fmt.Sprintf("%s[%d].weight", key, i)
		if w.Weight <= 0 || w.Weight > 100 {
			return bad(k, "a wave's weight is a percentage from 1 to 100, got %d", w.Weight)
		}
		if w.Weight <= last {
			return bad(k, "wave weights must grow (%d after %d)", w.Weight, last)
		}
		last = w.Weight
	}
	if len(waves) > 0 && last != 100 {
		return bad(fmt.Sprintf("%s[%d].weight", key, len(waves)-1), "the last wave must take 100%% of traffic, got %d", last)
	}
	return nil
}
