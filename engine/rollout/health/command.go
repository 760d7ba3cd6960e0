package health

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
)

// Command runs an argument list; exit 0 is healthy. It receives
// SWITCHYARD_ENV, SWITCHYARD_SLOT, SWITCHYARD_BUILD and SWITCHYARD_URL. A
// command that runs past Timeout is killed with its process group and
// counts as a failure.
type Command struct {
	Argv    []string
	Timeout time.Duration // default 30s
	Dir     string
}

// Check implements provider.Health.
func (c *Command) Check(ctx context.Context, t provider.Target) provider.Result {
	now := time.Now()
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	var out bytes.Buffer
	code, err := provider.Run(ctx, provider.RunOptions{
		Argv: c.Argv, Dir: c.Dir, Timeout: timeout, Stdout: &limited{w: &out, n: 4096},
		Env: []string{"SWITCHYARD_ENV=" + t.Env, "SWITCHYARD_SLOT=" + string(t.Slot),
			"SWITCHYARD_BUILD=" + strconv.Itoa(t.Build), "SWITCHYARD_URL=" + t.URL},
	})
	last := lastLine(out.String())
	switch {
	case err != nil:
		return provider.Result{Time: now, Verdict: provider.Fail, Detail: err.Error()}
	case code != 0:
		return provider.Result{Time: now, Verdict: provider.Fail, Detail: fmt.Sprintf("exit status %d %s", code, last)}
	}
	return provider.Result{Time: now, Verdict: provider.Pass, Detail: strings.TrimSpace("exit status 0 " + last)}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// limited keeps the first n bytes written.
type limited struct {
	w interface{ Write([]byte) (int, error) }
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		_, _ = l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
