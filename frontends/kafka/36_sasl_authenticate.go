// SaslAuthenticate v0–v2 with PLAIN after SaslHandshake v1. Failure is
// SASL_AUTHENTICATION_FAILED and the connection is closed after the
// response, as in Kafka; out of sequence it is ILLEGAL_SASL_STATE.
// Sessions do not expire (SessionLifetimeMillis 0: no re-authentication).

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 36, min: 0, max: 2, handle: handleSaslAuthenticate, preAuth: true})
}

func handleSaslAuthenticate(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.SASLAuthenticateRequest)
	resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
	c := r.c
	if c.sasl != saslStarted {
		resp.ErrorCode = kerr.IllegalSaslState.Code
		resp.ErrorMessage = strp("SaslAuthenticate without a SaslHandshake v1 first")
		r.closeAfter = true
		return resp, nil
	}
	user, ok := r.s.checkPlain(req.SASLAuthBytes)
	if !ok {
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		resp.ErrorMessage = strp("Authentication failed: invalid username or password")
		r.closeAfter = true
		return resp, nil
	}
	c.sasl, c.user = saslDone, user
	resp.SASLAuthBytes = []byte{}
	return resp, nil
}
