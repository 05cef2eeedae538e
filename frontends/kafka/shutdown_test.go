package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestShutdownWakesParkedFetchAndClosesConnections(t *testing.T) {
	e := newEnv(t)
	waiting := make(chan struct{}, 1)
	e.s.fetchWaitHook = func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}
	e.createTopic("sd", 1)
	rc := e.raw()
	req := kmsg.NewPtrFetchRequest()
	req.MaxWaitMillis, req.MinBytes, req.MaxBytes = 30_000, 1, 1<<20
	ft := kmsg.NewFetchRequestTopic()
	ft.Topic = "sd"
	fp := kmsg.NewFetchRequestTopicPartition()
	fp.PartitionMaxBytes = 1 << 20
	ft.Partitions = append(ft.Partitions, fp)
	req.Topics = append(req.Topics, ft)
	corr := rc.send(req, 12)
	<-waiting

	idle := e.raw() // a connection with nothing in flight
	do[*kmsg.ApiVersionsResponse](idle, kmsg.NewPtrApiVersionsRequest(), 3)

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Shutdown took %v with a parked fetch", d)
	}
	resp := &kmsg.FetchResponse{Version: 12}
	if got := rc.recv(resp); got != corr || resp.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("parked fetch answered with corr %d: %+v", got, resp)
	}
	if !rc.closed() || !idle.closed() {
		t.Fatal("connections open after Shutdown")
	}
	if err := <-e.done; err != nil {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
	e.done <- nil // for the cleanup's stop
}
