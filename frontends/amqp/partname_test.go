package amqp

import (
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/broker"
	"junction/storage"
)

func TestStreamQueuePartitions(t *testing.T) {
	e := newEnv(t)
	top, err := e.b.CreateTopic("multi", broker.TopicConfig{Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"p0", "p1", "p2"} {
		if _, err := top.Partition(i).Append([]storage.Record{{Origin: storage.OriginKafka, Value: []byte(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	ch := e.channel(t)
	// Passive declares adopt partition 0 as "multi", partition i as "multi#<i>".
	for _, name := range []string{"multi", "multi#1", "multi#2"} {
		if q, err := ch.QueueDeclarePassive(name, true, false, false, false, nil); err != nil || q.Messages != 1 {
			t.Fatalf("passive declare %s: %+v %v", name, q, err)
		}
	}
	_, err = ch.QueueDeclarePassive("multi#3", true, false, false, false, nil)
	wantErr(t, err, amqp.NotFound, "NOT_FOUND - no queue 'multi#3' in vhost '/'")

	ch = e.channel(t)
	ch.Qos(10, 0, false)
	if d := recv(t, streamConsume(t, ch, "multi#2", "first")); string(d.Body) != "p2" || d.Headers["x-stream-offset"] != int64(0) {
		t.Fatalf("multi#2 delivery: %q %v", d.Body, d.Headers)
	}

	// An active stream declare of a partition's name opens the partition
	// (it creates no topic); publishing to it appends there.
	two, err := e.b.CreateTopic("two", broker.TopicConfig{Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare("two#1", true, false, false, false, amqp.Table{"x-queue-type": "stream"}); err != nil {
		t.Fatalf("declare two#1: %v", err)
	}
	if e.b.Topic("two#1") != nil {
		t.Fatal("declaring two#1 created a topic of that name")
	}
	publish(t, ch, "", "two#1", "from amqp")
	ping(t, ch)
	if a, b := two.Partition(0).End(), two.Partition(1).End(); a != 0 || b != 1 {
		t.Fatalf("partitions of two hold %d and %d records after the publish to two#1, want 0 and 1", a, b)
	}

	// queue.delete of any partition's queue is refused; the topic stays.
	_, err = ch.QueueDelete("multi#1", false, false, false)
	wantErr(t, err, amqp.PreconditionFailed, "PRECONDITION_FAILED - cannot delete queue 'multi#1' in vhost '/': "+
		"it is partition 1 of the 3-partition topic 'multi' (delete the topic through Kafka)")
	ch = e.channel(t)
	_, err = ch.QueueDelete("multi", false, false, false)
	wantErr(t, err, amqp.PreconditionFailed, "")
	if e.b.Topic("multi") == nil {
		t.Fatal("topic deleted")
	}

	// A topic literally named multi#2 wins over partition 2.
	if _, err := e.b.CreateTopic("lit#1", broker.TopicConfig{Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.b.CreateTopic("lit", broker.TopicConfig{Partitions: 2}); err != nil {
		t.Fatal(err)
	}
	ch = e.channel(t)
	if q, err := ch.QueueDeclarePassive("lit#1", true, false, false, false, nil); err != nil || q.Messages != 0 {
		t.Fatalf("passive declare lit#1: %+v %v", q, err)
	}
	if _, err := ch.QueueDelete("lit#1", false, false, false); err != nil {
		t.Fatalf("deleting the single-partition topic lit#1: %v", err)
	}
	if e.b.Topic("lit#1") != nil || e.b.Topic("lit") == nil {
		t.Fatal("queue.delete lit#1 did not delete exactly the topic lit#1")
	}
}
