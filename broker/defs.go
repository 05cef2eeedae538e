package broker

import "junction/storage"

// SaveDefinition stores an opaque definition (e.g. an AMQP exchange or
// binding) under kind/name so a frontend's topology survives a restart.
func (b *Broker) SaveDefinition(kind, name string, value []byte) error {
	return b.cfg.Meta.Apply(storage.Op{Bucket: bucketDefs + kind, Key: name, Value: value})
}

// DeleteDefinition removes a stored definition.
func (b *Broker) DeleteDefinition(kind, name string) error {
	return b.cfg.Meta.Apply(storage.Op{Bucket: bucketDefs + kind, Key: name})
}

// Definitions calls fn for every stored definition of kind, in name order.
func (b *Broker) Definitions(kind string, fn func(name string, value []byte) error) error {
	return b.cfg.Meta.ForEach(bucketDefs+kind, "", fn)
}
