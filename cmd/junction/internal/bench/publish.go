// The publisher loop: a fixed count or duration at a steady rate, each
// payload stamped with its send time.
package bench

import (
	"context"
	"time"
)

// publish sends the stream: --messages messages (or until --duration ends)
// at --rate, each stamped with its send time. It returns how many were
// sent; it stops early on Ctrl-C or on a failed publish (which the driver
// reports through acked).
func (e *env) publish(ctx context.Context, d driver, p *progress, acked func(time.Duration, error)) int64 {
	cfg := e.cfg
	start := time.Now()
	var interval time.Duration
	if cfg.rate > 0 {
		interval = time.Duration(float64(time.Second) / cfg.rate)
	}
	var pace *time.Timer
	var sent int64
	pattern := make([]byte, cfg.size) // bytes 8… of every payload
	for i := 8; i < len(pattern); i++ {
		pattern[i] = 'a' + byte(i%26)
	}
	for cfg.messages == 0 || sent < cfg.messages {
		if ctx.Err() != nil || (cfg.duration > 0 && time.Since(start) >= cfg.duration) {
			break
		}
		if interval > 0 { // message n is due at start + n·interval; late ones go at once
			due := time.Duration(sent) * interval
			if cfg.duration > 0 && due >= cfg.duration {
				break
			}
			if wait := time.Until(start.Add(due)); wait > 0 {
				if pace == nil {
					pace = time.NewTimer(wait)
				} else {
					pace.Reset(wait)
				}
				select {
				case <-pace.C:
				case <-ctx.Done():
					return sent
				}
			}
		}
		payload := make([]byte, cfg.size) // fresh: Kafka's producer keeps it
		copy(payload[8:], pattern[8:])
		stamp(payload, e.epoch)
		sentAt := time.Duration(int64FromStamp(payload))
		err := d.publish(ctx, payload, func(err error) {
			p.acked.Add(1)
			acked(sentAt, err)
		})
		if err != nil { // the driver reported it through acked
			break
		}
		sent++
		p.sent.Store(sent)
	}
	return sent
}

func int64FromStamp(p []byte) int64 {
	var v int64
	for _, b := range p[:8] {
		v = v<<8 | int64(b)
	}
	return v
}
