package history

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// pipe runs git with stdin in the fixture.
func pipe(t testing.TB, r *testrepo.Repo, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = r.Env()
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}
