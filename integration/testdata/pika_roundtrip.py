"""Black-box pika round trip against a running junction: handshake,
publisher confirms, publish, consume with manual acks.
Usage: pika_roundtrip.py AMQP_URL. Prints one line per step."""
import sys

import pika

params = pika.URLParameters(sys.argv[1])
params.socket_timeout = 10
params.blocked_connection_timeout = 10
conn = pika.BlockingConnection(params)
product = conn._impl.server_properties.get("product", "?")
if isinstance(product, bytes):
    product = product.decode()
print("connected server=%s" % product)
ch = conn.channel()
ch.confirm_delivery()
ch.exchange_declare(exchange="pika.x", exchange_type="direct", durable=True)
ch.queue_declare(queue="pika.q", durable=True)
ch.queue_bind(queue="pika.q", exchange="pika.x", routing_key="k")
N = 20
for i in range(N):
    # With confirm_delivery, basic_publish returns only after the broker's ack
    # (and raises NackError/UnroutableError otherwise).
    ch.basic_publish(exchange="pika.x", routing_key="k", body=("pika-%d" % i).encode(),
                     properties=pika.BasicProperties(delivery_mode=2, headers={"n": i}),
                     mandatory=True)
print("confirmed %d" % N)

try:
    ch.basic_publish(exchange="pika.x", routing_key="nowhere", body=b"x", mandatory=True)
    print("unroutable accepted")
except pika.exceptions.UnroutableError:
    print("unroutable returned")

received = []


def on_message(channel, method, props, body):
    received.append("%s/%s/%s" % (body.decode(), props.headers["n"], method.redelivered))
    channel.basic_ack(method.delivery_tag)
    if len(received) == N:
        channel.stop_consuming()


ch.basic_qos(prefetch_count=4)
ch.basic_consume(queue="pika.q", on_message_callback=on_message)
conn.call_later(10, ch.stop_consuming)  # failure bound
ch.start_consuming()
print("received " + ",".join(received))
q = ch.queue_declare(queue="pika.q", passive=True)
print("left %d" % q.method.message_count)
conn.close()
print("OK")
