package interop

import (
	"encoding/json"
	"fmt"
	"testing"

	"junction/storage"
)

func h(k, v string) storage.Header { return storage.Header{Key: []byte(k), Value: []byte(v)} }

func show(hs []storage.Header) string {
	s := ""
	for _, x := range hs {
		s += fmt.Sprintf("%s=%s;", x.Key, x.Value)
	}
	return s
}

func TestRedisFields(t *testing.T) {
	r := storage.Record{Origin: storage.OriginRedis, Headers: []storage.Header{h("a", "1"), h("b", "2")}}
	if got := show(RedisFields(&r)); got != "a=1;b=2;" {
		t.Fatal(got)
	}
	k := storage.Record{Origin: storage.OriginKafka, Key: []byte("k"), Value: []byte("v"), Headers: []storage.Header{h("t", "x")}}
	if got := show(RedisFields(&k)); got != "key=k;value=v;t=x;" {
		t.Fatal(got)
	}
	k.Key = nil
	if got := show(RedisFields(&k)); got != "value=v;t=x;" {
		t.Fatal(got)
	}
}

func TestKafkaView(t *testing.T) {
	one := storage.Record{Origin: storage.OriginRedis, Headers: []storage.Header{h("f", "v")}}
	k, v, hs := KafkaView(&one, nil)
	if k != nil || string(v) != "v" || show(hs) != "redis-field=f;" {
		t.Fatal(k, v, show(hs))
	}
	// A single field named "value" is the value, with no header: it reads
	// as the Kafka record that reads in Redis as that very entry.
	val := storage.Record{Origin: storage.OriginRedis, Headers: []storage.Header{h("value", "v")}}
	k, v, hs = KafkaView(&val, make([]storage.Header, 0, 1))
	if k != nil || string(v) != "v" || len(hs) != 0 {
		t.Fatal(k, v, show(hs))
	}
	back := storage.Record{Origin: storage.OriginKafka, Key: k, Value: v, Headers: hs}
	if got := show(RedisFields(&back)); got != "value=v;" {
		t.Fatalf("Redis → Kafka → Redis gave %s", got)
	}
	if _, body, props, rest := AMQPView(&val); string(body) != "v" || props.Has != HasTimestamp || len(rest) != 0 {
		t.Fatalf("as AMQP: %q %+v %s", body, props, show(rest))
	}
	many := storage.Record{Origin: storage.OriginRedis, Headers: []storage.Header{h("b", "q\"\n\x01é"), h("a", "\xff")}}
	k, v, hs = KafkaView(&many, nil)
	if k != nil || show(hs) != "content-type=application/json;" || string(v) != `{"b":"q\"\n\u0001é","a":"`+"\ufffd"+`"}` {
		t.Fatalf("%q %q %s", k, v, show(hs))
	}
	var m map[string]string
	if err := json.Unmarshal(v, &m); err != nil || m["b"] != "q\"\n\x01é" {
		t.Fatal(m, err)
	}
	kr := storage.Record{Origin: storage.OriginKafka, Key: []byte("k"), Value: []byte("v")}
	if k, v, _ := KafkaView(&kr, nil); string(k) != "k" || string(v) != "v" {
		t.Fatal(k, v)
	}
}

func TestAMQPRoundTrip(t *testing.T) {
	p := AMQPProps{Has: HasContentType | HasCorrelationID | HasTimestamp | HasPriority | HasDeliveryMode,
		ContentType: "text/plain", CorrelationID: "c1", Timestamp: 1700000000, Priority: 5, DeliveryMode: 2}
	hs := AMQPHeaders(nil, &p)
	if got := show(hs); got != "amqp-content-type=text/plain;amqp-delivery-mode=2;amqp-priority=5;amqp-correlation-id=c1;amqp-timestamp=1700000000000;" {
		t.Fatal(got)
	}
	// As a Kafka client would re-produce it, plus an application header.
	r := storage.Record{Origin: storage.OriginKafka, Key: []byte("rk"), Value: []byte("body"), Timestamp: 5000,
		Headers: append(hs, h("app", "x"))}
	k, b, got, rest := AMQPView(&r)
	if string(k) != "rk" || string(b) != "body" || got != p || show(rest) != "app=x;" {
		t.Fatalf("%q %q %+v %s", k, b, got, show(rest))
	}
	// No amqp-timestamp: the record's (ms → s); plain content-type used.
	r2 := storage.Record{Origin: storage.OriginRedis, Timestamp: 7999, Headers: []storage.Header{h("a", "1"), h("b", "2")}}
	_, b, got, rest = AMQPView(&r2)
	if got.Timestamp != 7 || got.ContentType != JSON || string(b) != `{"a":"1","b":"2"}` || show(rest) != "content-type=application/json;" {
		t.Fatalf("%+v %q %s", got, b, show(rest))
	}
	// A malformed amqp-priority stays a header.
	r3 := storage.Record{Origin: storage.OriginKafka, Headers: []storage.Header{h("amqp-priority", "high"), h("amqp-nope", "1")}}
	if _, _, got, rest := AMQPView(&r3); got.Has&HasPriority != 0 || show(rest) != "amqp-priority=high;amqp-nope=1;" {
		t.Fatalf("%+v %s", got, show(rest))
	}
}
