// ApiVersions v0–v4: the registered API keys and version ranges (built from
// the registry, so nothing unimplemented is advertised). An unsupported
// ApiVersions version is answered in conn.go with UNSUPPORTED_VERSION and a
// v0-shaped body (KIP-511). No features are advertised. Client software
// name/version (v3+) are not validated.

package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

func init() {
	register(api{key: 18, min: 0, max: 4, handle: handleApiVersions, preAuth: true})
}

func handleApiVersions(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.ApiVersionsRequest)
	resp := req.ResponseKind().(*kmsg.ApiVersionsResponse)
	resp.ApiKeys = apiVersionKeys()
	return resp, nil
}
