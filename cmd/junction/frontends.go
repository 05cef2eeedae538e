package main

import (
	"strings"

	"log/slog"

	"junction/broker"
	"junction/frontends"
	"junction/frontends/amqp"
	"junction/frontends/kafka"
	"junction/frontends/redis"
)

// frontendSpecs builds the wire-protocol servers; an empty address leaves
// one off (frontends.Listen skips it).
func frontendSpecs(cfg *config, b *broker.Broker, log *slog.Logger) []frontends.Spec {
	return []frontends.Spec{
		{Name: "redis", Addr: cfg.redisAddr, Server: redis.New(redis.Config{
			Broker: b, Logger: log.With("protocol", "redis"),
			Password: cfg.redisPassword, User: cfg.redisUser,
		})},
		{Name: "amqp", Addr: cfg.amqpAddr, Server: amqp.New(amqp.Config{
			Broker: b, Logger: log.With("protocol", "amqp"),
			Users: parseUsers(cfg.amqpUsers), Vhosts: splitList(cfg.amqpVhosts), Version: version,
		})},
		{Name: "kafka", Addr: cfg.kafkaAddr, Server: kafka.New(kafka.Config{
			Broker: b, Logger: log.With("protocol", "kafka"),
			AutoCreate: cfg.kafkaAutoCreate, DefaultPartitions: cfg.kafkaPartitions,
			AdvertisedAddr: cfg.kafkaAdvertised, Users: parseUsers(cfg.kafkaUsers),
		})},
	}
}

// parseUsers reads "user:password,user:password".
func parseUsers(s string) map[string]string {
	m := make(map[string]string)
	for _, pair := range splitList(s) {
		u, p, _ := strings.Cut(pair, ":")
		m[u] = p
	}
	return m
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
