package engine

import (
	"context"
	"testing"
	"time"

	"github.com/switchyard/switchyard/model"
)

func TestBroker(t *testing.T) {
	b := NewBroker()
	ctx, cancel := context.WithCancel(context.Background())
	ch := b.Subscribe(ctx)
	b.Publish(model.Event{Kind: "state", Text: "one"})
	select {
	case ev := <-ch:
		if ev.Text != "one" {
			t.Fatalf("got %q; want one", ev.Text)
		}
	case <-time.After(time.Second):
		t.Fatal("no event")
	}
	// A full subscriber does not block publishers.
	for i := 0; i < 1000; i++ {
		b.Publish(model.Event{Kind: "log"})
	}
	cancel()
	for range ch {
	}
}
