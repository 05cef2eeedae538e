// Package wire is the AMQP 0-9-1 wire codec: frames, field tables, method
// arguments and basic content properties, as RabbitMQ and its clients
// (amqp091-go, pika, amqplib) put them on the wire.
//
// The package is hand-written against the AMQP 0-9-1 specification with
// RabbitMQ's errata: field-table type tags follow RabbitMQ ('s' is int16,
// 'x' is a byte array, 'u'/'i' are unsigned), and exchange.unbind-ok is
// method 51.
//
// Reading: ReadFrame fills a reusable Frame from a bufio.Reader, enforcing
// frame-max and the frame-end octet. A method frame's payload goes to
// ReadMethod (fresh structs) or Decoder.ReadMethod (one reused struct per
// method type, the hot path); a content header frame's payload goes to
// ReadContentHeader, which validates the property list without allocating
// and exposes it as raw bytes the broker can store and hand back verbatim.
//
// Writing: Method.Write appends arguments; AppendMethodFrame,
// AppendHeaderFrame, AppendBodyFrames and AppendDeliver append whole frames
// to a caller's buffer; Writer does the same onto a bufio.Writer that the
// caller flushes once per batch.
//
// Errors: decoding failures wrap the sentinels in errors.go; ReplyCode maps
// them to the reply code the connection closes with (501, 502, 540).
//
// The package-level functions are safe for concurrent use. A Frame, a
// Decoder and a Writer each belong to one goroutine: a connection owns one
// reader side (Frame, Decoder) and one writer side (Writer).
package wire
