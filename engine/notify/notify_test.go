package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestWebhookSend(t *testing.T) {
	type got struct {
		method, ctype string
		body          map[string]any
	}
	tests := []struct {
		name    string
		status  int
		wantErr bool
	}{
		{"ok", http.StatusOK, false},
		{"no content", http.StatusNoContent, false},
		{"server error", http.StatusInternalServerError, true},
		{"not found", http.StatusNotFound, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := make(chan got, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				var m map[string]any
				_ = json.Unmarshal(b, &m)
				calls <- got{r.Method, r.Header.Get("Content-Type"), m}
				w.WriteHeader(tt.status)
				io.WriteString(w, "answer")
			}))
			defer srv.Close()
			ev := Event{Kind: KindGateFailed, Text: "gate acceptance failed on staging", Env: "staging", Build: 7, Detail: map[string]any{"gate": "acceptance"}}
			err := Webhook{URL: srv.URL}.Send(context.Background(), ev)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Send = %v; want error %v", err, tt.wantErr)
			}
			c := <-calls
			if c.method != http.MethodPost || c.ctype != "application/json" {
				t.Errorf("request %s %s; want POST application/json", c.method, c.ctype)
			}
			if c.body["kind"] != KindGateFailed || c.body["text"] != ev.Text || c.body["env"] != "staging" || c.body["build"] != float64(7) || c.body["time"] == nil {
				t.Errorf("body = %v", c.body)
			}
			if d, _ := c.body["detail"].(map[string]any); d["gate"] != "acceptance" {
				t.Errorf("detail = %v", c.body["detail"])
			}
		})
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	err := Webhook{URL: srv.URL, Timeout: 50 * time.Millisecond}.Send(context.Background(), Event{Kind: KindAbort, Text: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send to a hanging server = %v; want a deadline error", err)
	}
}

func TestWebhookRefused(t *testing.T) {
	if err := (Webhook{}).Send(context.Background(), Event{Kind: KindAbort}); err == nil {
		t.Error("Send without URL = nil; want an error")
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	if err := (Webhook{URL: url}).Send(context.Background(), Event{Kind: KindAbort}); err == nil {
		t.Error("Send to a closed server = nil; want an error")
	}
}
