package kafka

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The versions the brief and the protocol checklist ask to advertise.
var wantVersions = map[int16][2]int16{
	0: {0, 11}, 1: {4, 12}, 2: {1, 7}, 3: {0, 12}, 8: {0, 9}, 9: {0, 9}, 10: {0, 4},
	11: {0, 9}, 12: {0, 4}, 13: {0, 5}, 14: {0, 5}, 15: {0, 5}, 16: {0, 5}, 17: {0, 1},
	18: {0, 4}, 19: {0, 7}, 20: {0, 6}, 22: {0, 4}, 23: {2, 4}, 32: {0, 4}, 33: {0, 2},
	36: {0, 2}, 37: {0, 3}, 42: {0, 2}, 44: {0, 1}, 60: {0, 1},
}

func TestApiVersionsAdvertisesRegistrations(t *testing.T) {
	e := newEnv(t)
	rc := e.raw()
	for _, v := range []int16{0, 3, 4} {
		resp := do[*kmsg.ApiVersionsResponse](rc, kmsg.NewPtrApiVersionsRequest(), v)
		if resp.ErrorCode != 0 {
			t.Fatalf("v%d: error %d", v, resp.ErrorCode)
		}
		got := make(map[int16][2]int16)
		for _, k := range resp.ApiKeys {
			got[k.ApiKey] = [2]int16{k.MinVersion, k.MaxVersion}
			a := lookupAPI(k.ApiKey)
			if a == nil || a.min != k.MinVersion || a.max != k.MaxVersion {
				t.Errorf("v%d: advertised key %d %d-%d, registered %+v", v, k.ApiKey, k.MinVersion, k.MaxVersion, a)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(wantVersions) {
			t.Errorf("v%d: advertised\n%v\nwant\n%v", v, got, wantVersions)
		}
	}
}

func TestApiVersionsUnsupportedVersion(t *testing.T) {
	e := newEnv(t)
	rc := e.raw()
	req := kmsg.NewPtrApiVersionsRequest()
	req.SetVersion(4)
	frame := kmsg.NewRequestFormatter().AppendRequest(nil, req, 7)
	binary.BigEndian.PutUint16(frame[6:], 99) // header version: 99
	if _, err := rc.c.Write(frame); err != nil {
		t.Fatal(err)
	}
	resp := &kmsg.ApiVersionsResponse{Version: 0}
	if got := rc.recv(resp); got != 7 {
		t.Fatalf("correlation id %d", got)
	}
	if resp.ErrorCode != kerr.UnsupportedVersion.Code {
		t.Fatalf("error code %d, want 35", resp.ErrorCode)
	}
	if len(resp.ApiKeys) != len(wantVersions) {
		t.Fatalf("%d keys in the v0 error body, want %d", len(resp.ApiKeys), len(wantVersions))
	}
	// The connection stays usable.
	ok := do[*kmsg.ApiVersionsResponse](rc, kmsg.NewPtrApiVersionsRequest(), 3)
	if ok.ErrorCode != 0 {
		t.Fatal(ok.ErrorCode)
	}
}

func TestUnsupportedVersionClosesConnection(t *testing.T) {
	e := newEnv(t)
	rc := e.raw()
	rc.send(kmsg.NewPtrFetchRequest(), 3) // Fetch starts at v4
	if !rc.closed() {
		t.Fatal("connection still open after Fetch v3")
	}
}

// Every registered API answers a plausible request at its lowest and
// highest version with a response kmsg can decode.
func TestEveryAPIAnswersAtMinAndMaxVersion(t *testing.T) {
	e := newEnv(t)
	e.createTopic("fuzz", 1)
	for _, req := range seedRequests() {
		a := lookupAPI(req.Key())
		for _, v := range []int16{a.min, a.max} {
			rc := e.raw()
			resp := do[kmsg.Response](rc, req, v)
			if resp.GetVersion() != v {
				t.Fatalf("%s v%d: response version %d", kmsg.NameForKey(req.Key()), v, resp.GetVersion())
			}
		}
	}
}
