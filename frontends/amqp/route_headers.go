// Headers exchange matching with RabbitMQ's rules: the binding's x-match
// is "all" (default), "any", "all-with-x" or "any-with-x"; binding
// arguments whose names start with "x-" take part only in the *-with-x
// modes (x-match itself never does). A binding argument of type void
// matches on presence alone; otherwise the message header must have the
// same AMQP type and value. "all" with no arguments matches every message,
// "any" with none matches nothing.

package amqp

import (
	"bytes"
	"reflect"
	"strings"

	"junction/frontends/amqp/internal/wire"
)

type headersMatch struct {
	any    bool
	fields wire.Table // the arguments that take part
}

func parseHeadersMatch(args wire.Table) (headersMatch, error) {
	var m headersMatch
	withX := false
	if v, ok := args.Get("x-match"); ok {
		s, isStr := v.(string)
		if !isStr {
			return m, newErr(wire.PreconditionFailed, "Invalid x-match field type %s (value %v); expected longstr", typeName(v), v)
		}
		switch s {
		case "all":
		case "any":
			m.any = true
		case "all-with-x":
			withX = true
		case "any-with-x":
			m.any, withX = true, true
		default:
			return m, newErr(wire.PreconditionFailed, "Invalid x-match field value '%s'; expected all, any, all-with-x, or any-with-x", s)
		}
	}
	for _, f := range args {
		if f.Name == "x-match" || (!withX && strings.HasPrefix(f.Name, "x-")) {
			continue
		}
		m.fields = append(m.fields, f)
	}
	return m, nil
}

func (m *headersMatch) matches(h wire.Table) bool {
	if len(m.fields) == 0 {
		return !m.any
	}
	for _, f := range m.fields {
		v, present := h.Get(f.Name)
		hit := present && (f.Value == nil || sameValue(f.Value, v))
		if m.any && hit {
			return true
		}
		if !m.any && !hit {
			return false
		}
	}
	return !m.any
}

// sameValue reports whether two field values have the same AMQP type and
// value.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case string:
		s, ok := b.(string)
		return ok && a == s
	case []byte:
		s, ok := b.([]byte)
		return ok && bytes.Equal(a, s)
	case bool, int8, uint8, int16, uint16, int32, uint32, int64, float32, float64, wire.Timestamp, wire.Decimal:
		return a == b
	}
	return reflect.DeepEqual(a, b)
}
