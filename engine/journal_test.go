package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/notify"
	"github.com/switchyard/switchyard/engine/testrepo"
)

func TestActor(t *testing.T) {
	tests := []struct {
		name, cname, cemail, config, user, want string
	}{
		{"environment", "Env Name", "env@example.com", "", "u", "Env Name <env@example.com>"},
		{"repo config", "", "", "Cfg Name", "u", "Cfg Name <cfg@example.com>"},
		{"USER", "", "", "", "someone", "someone"},
		{"nobody", "", "", "", "", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", t.TempDir())
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			t.Setenv("GIT_COMMITTER_NAME", tt.cname)
			t.Setenv("GIT_COMMITTER_EMAIL", tt.cemail)
			t.Setenv("USER", tt.user)
			r := testrepo.New(t)
			r.Commit("dev", "x", nil)
			r.Git("branch", "prod")
			if tt.config != "" {
				r.Git("config", "user.name", tt.config)
				r.Git("config", "user.email", "cfg@example.com")
			}
			e, err := Open(context.Background(), OpenOptions{Dir: r.Dir})
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Actor(); got != tt.want {
				t.Errorf("Actor() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestRecordAndNotify(t *testing.T) {
	ctx := context.Background()
	t.Setenv("GIT_COMMITTER_NAME", "Rel Manager")
	t.Setenv("GIT_COMMITTER_EMAIL", "rm@example.com")
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	r := testrepo.New(t)
	r.Commit("dev", "x", map[string]string{"switchyard.toml": "[notify]\nwebhook = " + strconv.Quote(srv.URL) + "\n"})
	r.Git("branch", "prod")
	e, err := Open(ctx, OpenOptions{Dir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	sub, cancel := context.WithCancel(ctx)
	defer cancel()
	events := e.Subscribe(sub)
	if err := e.Record(ctx, journal.Entry{Kind: "train", Action: "started", Track: "prod"}); err != nil {
		t.Fatal(err)
	}
	ev := <-events
	if en, ok := ev.Data.(journal.Entry); ev.Source != "journal" || !ok || en.Action != "started" || en.Actor != "Rel Manager <rm@example.com>" || en.Time.IsZero() {
		t.Errorf("event = %+v; want the journal entry", ev)
	}
	if err := e.Record(ctx, journal.Entry{Kind: "train"}); err == nil {
		t.Error("Record(no action) = nil; want an error")
	}
	if err := e.Notify(ctx, notify.Event{Kind: notify.KindConflict, Text: "conflict in a.txt", Track: "prod"}); err != nil {
		t.Errorf("Notify = %v", err)
	}
	status = http.StatusBadGateway
	if err := e.Notify(ctx, notify.Event{Kind: notify.KindApproval, Text: "approve wave 3", Env: "production"}); err == nil {
		t.Error("Notify to a failing webhook = nil; want the delivery error")
	}
	entries, err := e.ReadJournal(ctx, journal.Filter{Kind: "notify"})
	if err != nil || len(entries) != 2 || entries[0].Action != "sent" || entries[1].Action != "failed" || entries[1].Env != "production" {
		t.Errorf("notify entries = %+v, %v; want sent then failed", entries, err)
	}
	if _, err := os.Stat(e.JournalPath()); err != nil {
		t.Errorf("journal file: %v", err)
	}
}
