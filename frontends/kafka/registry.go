// The API table. Each NN_name.go file registers its API key, the versions it
// implements and its handler in an init function. The connection validates a
// request's key and version against this table before decoding it, and the
// ApiVersions reply is built from it, so the server never advertises what it
// does not implement.

package kafka

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// handler serves one decoded request. It returns the response value (nil
// for no response, e.g. acks=0 produce); an error closes the connection.
// Protocol-level failures are error codes inside the response.
type handler func(r *request) (kmsg.Response, error)

// api is one registered API key.
type api struct {
	key      int16
	min, max int16
	handle   handler
	// blocking marks handlers that may wait (long-polling Fetch, JoinGroup
	// and SyncGroup barriers): they run on their own goroutine so later
	// requests on the connection are read meanwhile. Responses still go
	// out in request order. Every other handler runs on the reader
	// goroutine, in request order, which keeps one producer's batches on
	// a connection in sequence.
	blocking bool
	// preAuth allows the request before SASL authentication.
	preAuth bool
}

// maxAPIKey bounds the table; keys above it are unknown.
const maxAPIKey = 100

var apis [maxAPIKey + 1]*api

// register adds a to the table; called from init functions.
func register(a api) {
	if a.key < 0 || a.key > maxAPIKey || apis[a.key] != nil {
		panic(fmt.Sprintf("kafka: bad or duplicate registration of key %d", a.key))
	}
	// Never advertise a version kmsg cannot encode.
	if req := kmsg.RequestForKey(a.key); req == nil || a.max > req.MaxVersion() || a.min > a.max {
		panic(fmt.Sprintf("kafka: key %d: versions %d-%d not supported by kmsg", a.key, a.min, a.max))
	}
	apis[a.key] = &a
}

// lookupAPI returns the registration for key, or nil.
func lookupAPI(key int16) *api {
	if key < 0 || key > maxAPIKey {
		return nil
	}
	return apis[key]
}

// apiVersionKeys lists the registered keys and version ranges in key order.
func apiVersionKeys() []kmsg.ApiVersionsResponseApiKey {
	var out []kmsg.ApiVersionsResponseApiKey
	for _, a := range apis {
		if a == nil {
			continue
		}
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MinVersion, k.MaxVersion = a.key, a.min, a.max
		out = append(out, k)
	}
	return out
}

// request is one decoded request with its connection.
type request struct {
	s        *Server
	c        *conn
	ctx      context.Context // ends when the connection or the server goes away
	key      int16
	version  int16
	corr     int32
	clientID string
	kreq     kmsg.Request

	// closeAfter closes the connection once the response is written
	// (failed SASL authentication).
	closeAfter bool
	// pieces, when set, is the response frame the handler encoded itself,
	// in pieces written in turn; the first starts with frameStart. It takes
	// the place of the returned response. release lists the pooled buffers
	// under the pieces, returned once they are written.
	pieces, release [][]byte
}
