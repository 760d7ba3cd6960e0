package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
)

// ErrNoData: a PromQL query answered with no samples.
var ErrNoData = errors.New("query returned no data")

// Prometheus asks a Prometheus server over its HTTP API (/api/v1/query).
// Health: Query ("{slot}", "{build}", "{env}" replaced) must give a value
// at most Max and at least Min; with neither set, above 0. No data is
// inconclusive; a failed comparison fails. Adoption: AdoptionQuery is a
// vector with a "build" label (count by (build) (app_build_info)) read as
// nodes per build.
type Prometheus struct {
	Server        string // base URL, e.g. http://127.0.0.1:9090
	Query         string
	Max, Min      *float64
	AdoptionQuery string
	Timeout       time.Duration // default 5s
	Client        *http.Client
	// Env is the environment name used to expand Query for adoption.
	Env string
}

// Sample is one element of a query result.
type Sample struct {
	Metric map[string]string
	Value  float64
}

// Check implements provider.Health.
func (p *Prometheus) Check(ctx context.Context, t provider.Target) provider.Result {
	now := time.Now()
	q := Expand(p.Query, t)
	samples, err := p.Do(ctx, q)
	if errors.Is(err, ErrNoData) {
		return provider.Result{Time: now, Verdict: provider.Inconclusive, Detail: fmt.Sprintf("%s: no data", q)}
	}
	if err != nil {
		return provider.Result{Time: now, Verdict: provider.Inconclusive, Detail: err.Error()}
	}
	v := samples[0].Value
	r := provider.Result{Time: now, Verdict: provider.Pass, Value: v, HasValue: true, Detail: fmt.Sprintf("value %g", v)}
	switch {
	case p.Max != nil && v > *p.Max:
		r.Verdict, r.Detail = provider.Fail, fmt.Sprintf("value %g above max %g", v, *p.Max)
	case p.Min != nil && v < *p.Min:
		r.Verdict, r.Detail = provider.Fail, fmt.Sprintf("value %g below min %g", v, *p.Min)
	case p.Max == nil && p.Min == nil && !(v > 0):
		r.Verdict, r.Detail = provider.Fail, fmt.Sprintf("value %g not above 0", v)
	}
	return r
}

// Adoption implements provider.Adopter.
func (p *Prometheus) Adoption(ctx context.Context) (provider.Fleet, error) {
	if p.AdoptionQuery == "" {
		return provider.Fleet{}, errors.New("prometheus: no adoption query configured")
	}
	samples, err := p.Do(ctx, strings.ReplaceAll(p.AdoptionQuery, "{env}", p.Env))
	if err != nil && !errors.Is(err, ErrNoData) {
		return provider.Fleet{}, err
	}
	var f provider.Fleet
	for _, s := range samples {
		b, err := strconv.Atoi(s.Metric["build"])
		if err != nil {
			return provider.Fleet{}, fmt.Errorf("prometheus adoption: sample %v has no numeric build label", s.Metric)
		}
		n := int(s.Value)
		f.Nodes += n
		f.Builds = append(f.Builds, provider.BuildCount{Build: b, Nodes: n, Healthy: -1})
	}
	sort.Slice(f.Builds, func(i, j int) bool { return f.Builds[i].Build < f.Builds[j].Build })
	return f, nil
}

// Do runs an instant query and returns its samples (a scalar is one
// sample with no labels). It fails with ErrNoData on an empty result.
func (p *Prometheus) Do(ctx context.Context, query string) ([]Sample, error) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := strings.TrimRight(p.Server, "/") + "/api/v1/query?query=" + url.QueryEscape(query)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	c := p.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("prometheus %s: no answer within %s", p.Server, timeout)
		}
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("prometheus: %s: not an API answer (%s)", query, resp.Status)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("prometheus: %s: %s", query, r.Error)
	}
	var out []Sample
	switch r.Data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(r.Data.Result, &vec); err != nil {
			return nil, fmt.Errorf("prometheus: %s: %w", query, err)
		}
		for _, s := range vec {
			v, err := sampleValue(s.Value[1])
			if err != nil {
				return nil, fmt.Errorf("prometheus: %s: %w", query, err)
			}
			out = append(out, Sample{Metric: s.Metric, Value: v})
		}
	case "scalar":
		var sc [2]any
		if err := json.Unmarshal(r.Data.Result, &sc); err != nil {
			return nil, fmt.Errorf("prometheus: %s: %w", query, err)
		}
		v, err := sampleValue(sc[1])
		if err != nil {
			return nil, fmt.Errorf("prometheus: %s: %w", query, err)
		}
		out = append(out, Sample{Value: v})
	default:
		return nil, fmt.Errorf("prometheus: %s: result type %q is not a vector or scalar", query, r.Data.ResultType)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("prometheus: %s: %w", query, ErrNoData)
	}
	return out, nil
}

func sampleValue(v any) (float64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", v)
	}
	return strconv.ParseFloat(s, 64)
}
