package engine

import (
	"context"
	"sync"

	"github.com/switchyard/switchyard/model"
)

// Broker fans engine events out to subscribers. A slow subscriber loses
// events rather than stalling the engine: each has a buffered channel and
// events that do not fit are dropped for it.
type Broker struct {
	mu   sync.Mutex
	subs map[chan model.Event]struct{}
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[chan model.Event]struct{}{}} }

// Subscribe returns a channel of events that is closed when ctx ends.
func (b *Broker) Subscribe(ctx context.Context) <-chan model.Event {
	ch := make(chan model.Event, 256)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs, ch)
		close(ch)
		b.mu.Unlock()
	}()
	return ch
}

// Publish sends ev to every subscriber that has room for it.
func (b *Broker) Publish(ev model.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}
