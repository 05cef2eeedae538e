package wire

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// allProperties sets all 14 properties.
func allProperties() Properties {
	return Properties{
		Present:         0xFFFC,
		ContentType:     "application/json",
		ContentEncoding: "gzip",
		Headers:         allTypes(),
		DeliveryMode:    2,
		Priority:        9,
		CorrelationID:   "corr-1",
		ReplyTo:         "amq.rabbitmq.reply-to",
		Expiration:      "60000",
		MessageID:       "msg-1",
		Timestamp:       1700000000,
		Type:            "order.created",
		UserID:          "guest",
		AppID:           "junction-test",
		ClusterID:       "cluster-1",
	}
}

// propertyFlags lists every flag in wire order.
var propertyFlags = []uint16{
	FlagContentType, FlagContentEncoding, FlagHeaders, FlagDeliveryMode, FlagPriority,
	FlagCorrelationID, FlagReplyTo, FlagExpiration, FlagMessageID, FlagTimestamp,
	FlagType, FlagUserID, FlagAppID, FlagClusterID,
}

// only keeps the properties of p named by flags, zeroing the others.
func only(p Properties, flags uint16) Properties {
	var q Properties
	q.Present = flags
	if flags&FlagContentType != 0 {
		q.ContentType = p.ContentType
	}
	if flags&FlagContentEncoding != 0 {
		q.ContentEncoding = p.ContentEncoding
	}
	if flags&FlagHeaders != 0 {
		q.Headers = p.Headers
	}
	if flags&FlagDeliveryMode != 0 {
		q.DeliveryMode = p.DeliveryMode
	}
	if flags&FlagPriority != 0 {
		q.Priority = p.Priority
	}
	if flags&FlagCorrelationID != 0 {
		q.CorrelationID = p.CorrelationID
	}
	if flags&FlagReplyTo != 0 {
		q.ReplyTo = p.ReplyTo
	}
	if flags&FlagExpiration != 0 {
		q.Expiration = p.Expiration
	}
	if flags&FlagMessageID != 0 {
		q.MessageID = p.MessageID
	}
	if flags&FlagTimestamp != 0 {
		q.Timestamp = p.Timestamp
	}
	if flags&FlagType != 0 {
		q.Type = p.Type
	}
	if flags&FlagUserID != 0 {
		q.UserID = p.UserID
	}
	if flags&FlagAppID != 0 {
		q.AppID = p.AppID
	}
	if flags&FlagClusterID != 0 {
		q.ClusterID = p.ClusterID
	}
	return q
}

func TestPropertiesRoundTrip(t *testing.T) {
	all := allProperties()
	cases := map[string]Properties{
		"none":                   {},
		"all":                    all,
		"present but zero":       {Present: FlagContentType | FlagDeliveryMode | FlagHeaders | FlagTimestamp},
		"every other":            only(all, 0xAAA8),
		"the others":             only(all, 0x5554),
		"without headers":        only(all, 0xFFFC&^FlagHeaders),
		"only headers and appid": only(all, FlagHeaders|FlagAppID),
	}
	for _, f := range propertyFlags {
		cases[fmt.Sprintf("only %#04x", f)] = only(all, f)
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			b := EncodeProperties([]byte("prefix"), &p)
			if !bytes.HasPrefix(b, []byte("prefix")) {
				t.Fatal("EncodeProperties did not append")
			}
			b = b[len("prefix"):]
			if err := validateProperties(b); err != nil {
				t.Fatalf("validate: %v", err)
			}
			got, err := DecodeProperties(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, p) {
				t.Fatalf("decoded\n%#v\nwant\n%#v", got, p)
			}
			for _, f := range propertyFlags {
				if got.Has(f) != (p.Present&f != 0) {
					t.Fatalf("Has(%#x) = %v", f, got.Has(f))
				}
			}
			// Every strict prefix and one trailing octet are errors.
			for i := range b {
				if _, err := DecodeProperties(b[:i]); !errors.Is(err, ErrSyntax) {
					t.Fatalf("prefix %d: err = %v", i, err)
				}
				if err := validateProperties(b[:i]); !errors.Is(err, ErrSyntax) {
					t.Fatalf("validate prefix %d: err = %v", i, err)
				}
			}
			if _, err := DecodeProperties(append(b, 0)); !errors.Is(err, ErrSyntax) {
				t.Fatalf("trailing octet: err = %v", err)
			}
		})
	}
}

func TestPropertiesGolden(t *testing.T) {
	p := Properties{
		Present:      FlagContentType | FlagDeliveryMode | FlagTimestamp | FlagClusterID,
		ContentType:  "t",
		DeliveryMode: 2,
		Timestamp:    0x0102030405060708,
		ClusterID:    "c",
		AppID:        "not present, not encoded",
	}
	want := []byte{0x90, 0x44, 1, 't', 2, 1, 2, 3, 4, 5, 6, 7, 8, 1, 'c'}
	if got := EncodeProperties(nil, &p); !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
}

func TestPropertiesErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":            {},
		"continuation bit": {0x00, 0x01, 0x00, 0x00},
		"bit 1":            {0x00, 0x02},
		"bad headers":      {0x20, 0x00, 0, 0, 0, 3, 1, 'a', 'z'},
		"4 GiB headers":    {0x20, 0x00, 0xff, 0xff, 0xff, 0xff},
	} {
		if _, err := DecodeProperties(b); !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: DecodeProperties err = %v", name, err)
		}
		if err := validateProperties(b); !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: validate err = %v", name, err)
		}
	}

	long := Properties{Present: FlagReplyTo, ReplyTo: strings.Repeat("r", 256)}
	if b, err := AppendProperties([]byte("x"), &long); !errors.Is(err, ErrShortString) || string(b) != "x" {
		t.Fatalf("AppendProperties = %q, %v", b, err)
	}
	badHeaders := Properties{Present: FlagHeaders, Headers: Table{{"n", 1}}}
	if _, err := AppendProperties(nil, &badHeaders); !errors.Is(err, ErrFieldType) {
		t.Fatalf("AppendProperties err = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("EncodeProperties did not panic on invalid properties")
		}
	}()
	EncodeProperties(nil, &long)
}

func TestValidatePropertiesAllocs(t *testing.T) {
	p := allProperties()
	b := EncodeProperties(nil, &p)
	if n := testing.AllocsPerRun(100, func() {
		if err := validateProperties(b); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
