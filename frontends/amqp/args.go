// Declaration arguments: validation of a new queue's x-arguments and the
// equivalence check of a redeclaration, with RabbitMQ's texts —
// "PRECONDITION_FAILED - invalid arg 'x-max-length' for queue 'q' in vhost
// '/': {value_negative,-1}" and "PRECONDITION_FAILED - inequivalent arg
// 'x-max-length' for queue 'q' in vhost '/': received the value '10' of
// type 'signedint' but current is none" (values and error terms printed as
// Erlang prints them). As in RabbitMQ, integer types are interchangeable in
// the comparison, only the listed keys are compared, and a missing
// x-queue-type equals "classic".

package amqp

import (
	"fmt"
	"math"
	"strconv"

	"junction/frontends/amqp/internal/wire"
)

// queueArgKeys are the arguments compared on redeclaration (RabbitMQ's
// declare_args).
var queueArgKeys = []string{
	"x-expires", "x-message-ttl", "x-dead-letter-exchange", "x-dead-letter-routing-key",
	"x-max-length", "x-max-length-bytes", "x-max-in-memory-length", "x-max-in-memory-bytes",
	"x-max-priority", "x-overflow", "x-queue-mode", "x-single-active-consumer", "x-queue-type",
	"x-quorum-initial-group-size", "x-max-age", "x-stream-max-segment-size-bytes",
	"x-initial-cluster-size", "x-queue-leader-locator",
}

// maxExpiry is RabbitMQ's largest TTL / expiry in milliseconds.
const maxExpiry = 4294967295

// typeName is RabbitMQ's name of a field value's AMQP type.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "void"
	case bool:
		return "bool"
	case int8:
		return "byte"
	case uint8:
		return "unsignedbyte"
	case int16:
		return "short"
	case uint16:
		return "unsignedshort"
	case int32:
		return "signedint"
	case uint32:
		return "unsignedint"
	case int64:
		return "long"
	case float32:
		return "float"
	case float64:
		return "double"
	case wire.Decimal:
		return "decimal"
	case string:
		return "longstr"
	case []byte:
		return "binary"
	case wire.Array, []any:
		return "array"
	case wire.Timestamp:
		return "timestamp"
	case wire.Table:
		return "table"
	}
	return "unknown"
}

// typeClass groups interchangeable types (RabbitMQ's type_class).
func typeClass(v any) string {
	switch v.(type) {
	case int8, uint8, int16, uint16, int32, uint32, int64, wire.Decimal:
		return "int"
	case float32, float64:
		return "float"
	}
	return typeName(v)
}

// intArg returns an integer field value.
func intArg(v any) (int64, bool) {
	switch v := v.(type) {
	case int8:
		return int64(v), true
	case uint8:
		return int64(v), true
	case int16:
		return int64(v), true
	case uint16:
		return int64(v), true
	case int32:
		return int64(v), true
	case uint32:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}

// erlang formats a field value as Erlang's ~p prints it (values only).
func erlang(v any) string {
	switch v := v.(type) {
	case nil:
		return "undefined"
	case string:
		return v
	case []byte:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case wire.Timestamp:
		return strconv.FormatUint(uint64(v), 10)
	case wire.Decimal:
		return fmt.Sprintf("{%d,%d}", v.Scale, v.Value)
	}
	if n, ok := intArg(v); ok {
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprint(v)
}

// sameArg compares two argument values as RabbitMQ does: same type class
// and equal value.
func sameArg(a, b any) bool {
	if typeClass(a) != typeClass(b) {
		return false
	}
	if x, ok := intArg(a); ok {
		y, _ := intArg(b)
		return x == y
	}
	switch a := a.(type) {
	case float32:
		return floatOf(b) == float64(a)
	case float64:
		return floatOf(b) == a
	}
	return sameValue(a, b)
}

func floatOf(v any) float64 {
	switch v := v.(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// assertField checks a declaration flag or type against the existing one.
func assertField(key string, current, received any, what string) error {
	if current == received {
		return nil
	}
	return newErr(wire.PreconditionFailed, "inequivalent arg '%s' for %s: received '%s' but current is '%s'",
		key, what, erlang(received), erlang(current))
}

// assertArgs compares the listed keys of two argument tables.
func assertArgs(current, received wire.Table, what string, keys []string) error {
	for _, k := range keys {
		cv, cok := current.Get(k)
		rv, rok := received.Get(k)
		switch {
		case !cok && !rok:
			continue
		case cok && rok:
			if sameArg(cv, rv) {
				continue
			}
			return newErr(wire.PreconditionFailed, "inequivalent arg '%s' for %s: received '%s' but current is '%s'",
				k, what, erlang(rv), erlang(cv))
		}
		if k == "x-queue-type" && (cv == "classic" || rv == "classic") {
			continue
		}
		desc := func(ok bool, v any) string {
			if !ok {
				return "none"
			}
			return fmt.Sprintf("the value '%s' of type '%s'", erlang(v), typeName(v))
		}
		return newErr(wire.PreconditionFailed, "inequivalent arg '%s' for %s: received %s but current is %s",
			k, what, desc(rok, rv), desc(cok, cv))
	}
	return nil
}

// queueArgs are a queue's parsed x-arguments.
type queueArgs struct {
	kind        string // "classic", "quorum" or "stream"
	messageTTL  int64  // -1: none
	expires     int64  // 0: none
	maxLength   int64  // -1: none
	maxBytes    int64  // -1: none
	overflow    string
	dlx         string
	hasDLX      bool
	dlrk        string
	hasDLRK     bool
	maxPriority int64
	sac         bool
	maxAgeMs    int64
	segmentSize int64
}

// parseQueueArgs validates a new queue's arguments as RabbitMQ's
// check_declare_arguments does.
func parseQueueArgs(args wire.Table, what string) (queueArgs, error) {
	a := queueArgs{kind: "classic", messageTTL: -1, maxLength: -1, maxBytes: -1, overflow: "drop-head"}
	invalid := func(key, term string) error {
		return newErr(wire.PreconditionFailed, "invalid arg '%s' for %s: %s", key, what, term)
	}
	for _, f := range args {
		k, v := f.Name, f.Value
		switch k {
		case "x-expires", "x-message-ttl", "x-max-length", "x-max-length-bytes", "x-max-priority",
			"x-max-in-memory-length", "x-max-in-memory-bytes", "x-stream-max-segment-size-bytes",
			"x-quorum-initial-group-size", "x-initial-cluster-size":
			n, isInt := intArg(v)
			if !isInt {
				return a, invalid(k, fmt.Sprintf("{unacceptable_type,%s}", typeName(v)))
			}
			switch {
			case n < 0:
				return a, invalid(k, fmt.Sprintf("{value_negative,%d}", n))
			case n == 0 && (k == "x-expires" || k == "x-quorum-initial-group-size" || k == "x-initial-cluster-size"):
				return a, invalid(k, fmt.Sprintf("{value_zero,%d}", n))
			case (k == "x-expires" || k == "x-message-ttl") && n > maxExpiry:
				return a, invalid(k, fmt.Sprintf("{value_too_large,%d}", n))
			case k == "x-max-priority" && n > 255:
				return a, invalid(k, fmt.Sprintf("{max_value_exceeded,%d}", n))
			}
			switch k {
			case "x-expires":
				a.expires = n
			case "x-message-ttl":
				a.messageTTL = n
			case "x-max-length":
				a.maxLength = n
			case "x-max-length-bytes":
				a.maxBytes = n
			case "x-max-priority":
				a.maxPriority = n
			case "x-stream-max-segment-size-bytes":
				a.segmentSize = n
			}
		case "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-overflow", "x-queue-type",
			"x-queue-mode", "x-max-age", "x-queue-leader-locator":
			s, isStr := v.(string)
			if !isStr {
				return a, invalid(k, fmt.Sprintf("{unacceptable_type,%s}", typeName(v)))
			}
			switch k {
			case "x-dead-letter-exchange":
				a.dlx, a.hasDLX = s, true
			case "x-dead-letter-routing-key":
				a.dlrk, a.hasDLRK = s, true
			case "x-overflow":
				if s != "drop-head" && s != "reject-publish" && s != "reject-publish-dlx" {
					return a, invalid(k, "invalid_overflow")
				}
				a.overflow = s
			case "x-queue-type":
				if s != "classic" && s != "quorum" && s != "stream" {
					return a, invalid(k, fmt.Sprintf("\"unsupported queue type '%s'\"", s))
				}
				a.kind = s
			case "x-queue-mode":
				if s != "default" && s != "lazy" {
					return a, invalid(k, fmt.Sprintf("\"unsupported queue mode '%s'\"", s))
				}
			case "x-max-age":
				ms, ok := parseAge(s)
				if !ok {
					return a, invalid(k, "invalid_max_age")
				}
				a.maxAgeMs = ms
			case "x-queue-leader-locator":
				if s != "client-local" && s != "random" && s != "least-leaders" && s != "balanced" {
					return a, invalid(k, "invalid_queue_locator_arg")
				}
			}
		case "x-single-active-consumer":
			b, isBool := v.(bool)
			if !isBool {
				return a, invalid(k, fmt.Sprintf("{unacceptable_type,%s}", typeName(v)))
			}
			a.sac = b
		}
	}
	if a.hasDLRK && !a.hasDLX {
		return a, invalid("x-dead-letter-routing-key", "routing_key_but_no_dlx_defined")
	}
	return a, nil
}

// parseAge parses RabbitMQ's max-age and interval syntax: a positive
// integer and one of the units Y, M, D, h, m, s.
func parseAge(s string) (int64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	var unit int64
	switch s[i:] {
	case "Y":
		unit = 365 * 24 * 3600 * 1000
	case "M":
		unit = 30 * 24 * 3600 * 1000
	case "D":
		unit = 24 * 3600 * 1000
	case "h":
		unit = 3600 * 1000
	case "m":
		unit = 60 * 1000
	case "s":
		unit = 1000
	default:
		return 0, false
	}
	if n > math.MaxInt64/unit {
		return 0, false
	}
	return n * unit, true
}

// parseExpiration parses the expiration property as RabbitMQ does
// (string:to_integer then check_expiry) and returns the error term.
func parseExpiration(b []byte) (int64, string) {
	s := string(b)
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return 0, "no_integer"
	}
	n, err := strconv.ParseInt(s[:j], 10, 64)
	if err != nil {
		return 0, fmt.Sprintf("{value_too_large,%s}", s[:j])
	}
	if j < len(s) {
		return 0, fmt.Sprintf("{leftover_string,%q}", s[j:])
	}
	switch {
	case n < 0:
		return 0, fmt.Sprintf("{value_negative,%d}", n)
	case n > maxExpiry:
		return 0, fmt.Sprintf("{value_too_large,%d}", n)
	}
	return n, ""
}
