"""Smoke test with pika: handshake, publisher confirms, publish, consume
with manual acks, a mandatory return, and a passive declare error.
Usage: pika_smoke.py AMQP_URL; prints OK on success."""
import sys

import pika

conn = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
ch = conn.channel()
ch.confirm_delivery()  # needs the publisher_confirms and basic.nack capabilities
ch.queue_declare(queue="pika-q", durable=True)
for i in range(10):
    ch.basic_publish(exchange="", routing_key="pika-q", body=("msg-%d" % i).encode(),
                     properties=pika.BasicProperties(delivery_mode=2, headers={"n": i}),
                     mandatory=True)

received = []


def on_message(channel, method, props, body):
    assert props.headers["n"] == len(received), props.headers
    received.append(body.decode())
    channel.basic_ack(method.delivery_tag)
    if len(received) == 10:
        channel.stop_consuming()


ch.basic_qos(prefetch_count=5)
ch.basic_consume(queue="pika-q", on_message_callback=on_message)
conn.call_later(10, ch.stop_consuming)  # failure bound
ch.start_consuming()
assert received == ["msg-%d" % i for i in range(10)], received

try:
    ch.basic_publish(exchange="amq.direct", routing_key="nowhere", body=b"x", mandatory=True)
    sys.exit("unroutable mandatory publish was not returned")
except pika.exceptions.UnroutableError:
    pass

try:
    ch.queue_declare(queue="no-such-queue", passive=True)
    sys.exit("passive declare of a missing queue succeeded")
except pika.exceptions.ChannelClosedByBroker as e:
    assert e.reply_code == 404, e
    assert e.reply_text == "NOT_FOUND - no queue 'no-such-queue' in vhost '/'", e

conn.close()
print("OK")
