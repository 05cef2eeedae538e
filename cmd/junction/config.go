package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// config is every setting of the binary; each is a flag with a JUNCTION_*
// environment fallback (the flag wins).
type config struct {
	dataDir         string
	redisAddr       string
	amqpAddr        string
	kafkaAddr       string
	httpAddr        string
	fsync           string
	inMemory        bool
	logLevel        string
	logFormat       string
	redisPassword   string
	redisUser       string
	amqpUsers       string
	amqpVhosts      string
	kafkaAutoCreate bool
	kafkaPartitions int
	kafkaAdvertised string
	kafkaUsers      string
	shutdownTimeout time.Duration
	version         bool
}

// envName turns a flag name into its environment variable: redis-addr → JUNCTION_REDIS_ADDR.
func envName(flagName string) string {
	return "JUNCTION_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func newFlagSet(c *config, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("junction", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.dataDir, "data-dir", "./junction-data", "directory for logs and metadata")
	fs.StringVar(&c.redisAddr, "redis-addr", "127.0.0.1:6379", "Redis (RESP) listen address; empty disables")
	fs.StringVar(&c.amqpAddr, "amqp-addr", "127.0.0.1:5672", "AMQP 0-9-1 listen address; empty disables")
	fs.StringVar(&c.kafkaAddr, "kafka-addr", "127.0.0.1:9092", "Kafka listen address; empty disables")
	fs.StringVar(&c.httpAddr, "http-addr", "127.0.0.1:8080", "HTTP address for /healthz and /readyz; empty disables")
	fs.StringVar(&c.fsync, "fsync", "interval", "durability: always, interval (every 1s) or never")
	fs.BoolVar(&c.inMemory, "in-memory", false, "keep everything in memory (nothing touches disk)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	fs.StringVar(&c.redisPassword, "redis-password", "", "require AUTH with this password on the Redis port")
	fs.StringVar(&c.redisUser, "redis-user", "default", "user name for Redis AUTH")
	fs.StringVar(&c.amqpUsers, "amqp-users", "guest:guest", "AMQP users as user:password,user:password")
	fs.StringVar(&c.amqpVhosts, "amqp-vhosts", "/", "AMQP virtual hosts, comma-separated")
	fs.BoolVar(&c.kafkaAutoCreate, "kafka-auto-create", true, "create Kafka topics on first use")
	fs.IntVar(&c.kafkaPartitions, "kafka-default-partitions", 1, "partitions of auto-created Kafka topics")
	fs.StringVar(&c.kafkaAdvertised, "kafka-advertised-addr", "", "host:port in Kafka metadata (default: the address the client dialled)")
	fs.StringVar(&c.kafkaUsers, "kafka-users", "", "enable SASL/PLAIN on the Kafka port with user:password,user:password")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 5*time.Second, "how long in-flight requests may finish on shutdown")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: junction [flags]\n       junction healthcheck [--http-addr addr]\n\n"+
			"Junction is one broker for Redis, AMQP 0-9-1 and Kafka clients.\n"+
			"Every flag can also be set by its environment variable (shown in brackets).\n\nFlags:\n")
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(out, "  --%s (default %q) [%s]\n      %s\n", f.Name, f.DefValue, envName(f.Name), f.Usage)
		})
	}
	return fs
}

// parseConfig reads flags after applying environment fallbacks. It returns
// flag.ErrHelp for --help.
func parseConfig(args []string, out io.Writer) (*config, error) {
	c := &config{}
	fs := newFlagSet(c, out)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("invalid value %q for %s: %v", v, envName(f.Name), err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	fs.SetOutput(io.Discard) // errors are reported in one line by the caller
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			fs.Usage()
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.kafkaPartitions < 1 {
		return nil, errors.New("--kafka-default-partitions must be at least 1")
	}
	return c, nil
}
