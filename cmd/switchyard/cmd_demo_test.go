package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoCommand(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "sandbox")
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // exact, when code is 0
		stderrIn string // a part of the one-line error
	}{
		{"no-open", []string{"demo", "--no-open", "--dir", fresh}, exitOK, fresh + "\n", ""},
		{"dir not empty", []string{"demo", "--no-open", "--dir", full}, exitError, "", "switchyard: demo: " + full + " is not empty: the demo needs a new or empty folder"},
		{"bad flow", []string{"demo", "--no-open", "--flow", "four", "--dir", filepath.Join(t.TempDir(), "x")}, exitError, "", `switchyard: demo: flow "four" is not "two" or "three"`},
		{"bad fail-gate", []string{"demo", "--no-open", "--fail-gate", "qa", "--dir", filepath.Join(t.TempDir(), "x")}, exitError, "", `demo: fail-gate: "qa" is not an environment`},
		{"stray argument", []string{"demo", "--no-open", "here"}, exitError, "", `unexpected argument "here"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr})
			if code != tt.code {
				t.Fatalf("run(%q) = %d; want %d\nstdout: %s\nstderr: %s", tt.args, code, tt.code, stdout.String(), stderr.String())
			}
			if tt.code == exitOK {
				if stdout.String() != tt.stdout || stderr.Len() != 0 {
					t.Errorf("run(%q): stdout %q, stderr %q; want stdout %q", tt.args, stdout.String(), stderr.String(), tt.stdout)
				}
				return
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "switchyard: ") || !strings.Contains(msg, tt.stderrIn) {
				t.Errorf("run(%q): stderr %q; want one line containing %q", tt.args, msg, tt.stderrIn)
			}
			if stdout.Len() != 0 {
				t.Errorf("run(%q): stdout %q; want nothing", tt.args, stdout.String())
			}
		})
	}
	if entries, _ := os.ReadDir(full); len(entries) != 1 {
		t.Errorf("the non-empty --dir now holds %d entries; want only the user's file", len(entries))
	}
	for _, name := range []string{"src/switchyard.toml", "bin/HEAD", "gates/acceptance.sh", "README.txt", "bin/refs/heads/prod"} {
		if _, err := os.Stat(filepath.Join(fresh, name)); err != nil {
			t.Errorf("sandbox: %v", err)
		}
	}
}

// Without --no-open the sandbox's path comes first, then the sandbox is
// shown: without a terminal, as the status command shows it.
func TestDemoCommandShows(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sandbox")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"demo", "--dir", dir}, &cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr})
	if code != exitOK {
		t.Fatalf("switchyard demo = %d; want 0\nstderr: %s", code, stderr.String())
	}
	first, rest, _ := strings.Cut(stdout.String(), "\n")
	if first != "sandbox: "+dir {
		t.Errorf("first line = %q; want %q", first, "sandbox: "+dir)
	}
	var status bytes.Buffer
	if code := run(context.Background(), []string{"status", "--repo", filepath.Join(dir, "src")}, &cli{stdin: strings.NewReader(""), stdout: &status, stderr: &stderr}); code != exitOK {
		t.Fatalf("switchyard status on the sandbox = %d: %s", code, stderr.String())
	}
	if rest != status.String() {
		t.Errorf("after the path, demo printed:\n%s\nwant what status prints:\n%s", rest, status.String())
	}
}

// The --flow and --fail-gate flags reach the sandbox.
func TestDemoCommandFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sandbox")
	var stdout, stderr bytes.Buffer
	args := []string{"demo", "--no-open", "--flow", "three", "--fail-gate", "staging", "--dir", dir}
	if code := run(context.Background(), args, &cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}); code != exitOK {
		t.Fatalf("run(%q) = %d: %s", args, code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "bin", "refs", "heads", "master")); err != nil {
		t.Errorf("--flow three: the bin repo has no master branch: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "gates", "fail-env")); err != nil || string(got) != "staging\n" {
		t.Errorf("--fail-gate staging: gates/fail-env = %q, %v; want staging", got, err)
	}
}
