package main

import (
	"log/slog"

	"junction/broker"
	"junction/frontends"
)

// frontendSpecs builds the enabled wire-protocol servers.
func frontendSpecs(cfg *config, b *broker.Broker, log *slog.Logger) []frontends.Spec {
	return nil
}
