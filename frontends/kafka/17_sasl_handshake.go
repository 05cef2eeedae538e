// SaslHandshake v0–v1: only PLAIN, and only when Config.Users is set
// (otherwise UNSUPPORTED_SASL_MECHANISM with no mechanisms). After v1 the
// client authenticates with SaslAuthenticate; after v0 it sends the bare
// PLAIN token as the next frame and gets an empty frame back on success
// (Kafka's legacy flow). Failed authentication closes the connection.

package kafka

import (
	"bytes"
	"crypto/subtle"
	"encoding/binary"
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 17, min: 0, max: 1, handle: handleSaslHandshake, preAuth: true})
}

func handleSaslHandshake(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.SASLHandshakeRequest)
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	c := r.c
	resp.SupportedMechanisms = []string{}
	if len(r.s.cfg.Users) > 0 {
		resp.SupportedMechanisms = []string{"PLAIN"}
	}
	switch {
	case len(r.s.cfg.Users) == 0 || req.Mechanism != "PLAIN":
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
	case c.sasl != saslNone:
		resp.ErrorCode = kerr.IllegalSaslState.Code
	case req.Version == 0:
		c.sasl = saslRaw
	default:
		c.sasl = saslStarted
	}
	return resp, nil
}

// rawSASL authenticates the bare PLAIN token that follows SaslHandshake v0.
func (c *conn) rawSASL(token []byte) error {
	user, ok := c.s.checkPlain(token)
	if !ok {
		return errors.New("SASL/PLAIN authentication failed")
	}
	c.sasl, c.user = saslDone, user
	if !c.push(&slot{frame: binary.BigEndian.AppendUint32(nil, 0)}) {
		return errStop
	}
	return nil
}

// checkPlain verifies a PLAIN token "authzid NUL authcid NUL password"
// (RFC 4616); the authorization id must be empty or the user name.
func (s *Server) checkPlain(token []byte) (string, bool) {
	parts := bytes.Split(token, []byte{0})
	if len(parts) != 3 {
		return "", false
	}
	authz, user, pass := string(parts[0]), string(parts[1]), parts[2]
	if authz != "" && authz != user {
		return "", false
	}
	want, ok := s.cfg.Users[user]
	if !ok {
		// Compare anyway so timing does not reveal which users exist.
		subtle.ConstantTimeCompare(pass, pass)
		return "", false
	}
	return user, subtle.ConstantTimeCompare(pass, []byte(want)) == 1
}
