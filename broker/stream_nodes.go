// Stream nodes: Redis keeps a stream as a radix tree of listpack nodes of up
// to stream-node-max-entries (100) entries each, and approximate ("~")
// trimming removes whole nodes only. A partition models its nodes as aligned
// runs of 100 offsets (deleted entries keep their slot, as tombstones do in a
// listpack). This matches Redis while entries are small; Redis also closes a
// node at stream-node-max-bytes (4 KiB) and starts a fresh one after XDEL
// empties the tail node, which this model ignores. The radix-tree node count
// is estimated from the node keys as an ascending-insert rax would build it.
package broker

import (
	"slices"

	"junction/storage"
)

// streamNodeEntries is Redis's default stream-node-max-entries.
const streamNodeEntries = 100

// nodeFloor returns the first offset of the node holding off.
func nodeFloor(off int64) int64 { return off - off%streamNodeEntries }

// deletedBetweenLocked counts deleted offsets in [from, to).
func (p *Partition) deletedBetweenLocked(from, to int64) int64 {
	p.delMu.RLock()
	defer p.delMu.RUnlock()
	i, _ := slices.BinarySearch(p.deleted, from)
	j, _ := slices.BinarySearch(p.deleted, to)
	return int64(j - i)
}

// trimNodesLocked removes whole nodes from the head, as Redis's streamTrim
// does with approx set: it stops before a node when done(length) holds,
// when removing it would exceed limit live records (limit > 0), or when
// remove(start, end, live, length) says the node must stay.
func (p *Partition) trimNodesLocked(limit int64, remove func(start, end, live, length int64) (bool, error), done func(length int64) bool) (int64, error) {
	start, end := p.log.Start(), p.log.End()
	length := p.lenLocked()
	cut := start
	var removed int64
	for cut < end {
		if done != nil && done(length) {
			break
		}
		nodeEnd := min(nodeFloor(cut)+streamNodeEntries, end)
		live := nodeEnd - cut - p.deletedBetweenLocked(cut, nodeEnd)
		if limit > 0 && removed+live > limit {
			break
		}
		ok, err := remove(cut, nodeEnd, live, length)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		removed += live
		length -= live
		cut = nodeEnd
	}
	if cut == start {
		return 0, nil
	}
	return p.trimLocked(cut)
}

// StreamNodes returns the radix-tree keys (nodes holding a live entry) and
// an estimate of the radix-tree nodes Redis would report for the stream in
// XINFO STREAM.
func (p *Partition) StreamNodes() (keys, nodes int64, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	start, end := p.log.Start(), p.log.End()
	var masters [][16]byte
	var buf []storage.Record
	for off := start; off < end; off = nodeFloor(off) + streamNodeEntries {
		nodeEnd := min(nodeFloor(off)+streamNodeEntries, end)
		if nodeEnd-off-p.deletedBetweenLocked(off, nodeEnd) == 0 {
			continue
		}
		keys++
		if len(masters) > 1<<16 {
			continue // too many to estimate; keys stays exact
		}
		buf, err = p.log.Read(buf[:0], off, 1, 0)
		if err != nil {
			return 0, 0, err
		}
		if len(buf) == 1 {
			masters = append(masters, encodeID(buf[0].ID))
		}
	}
	return keys, raxNodes(masters), nil
}

// encodeID is the 128-bit big-endian form Redis uses as a rax key.
func encodeID(id storage.StreamID) [16]byte {
	var k [16]byte
	for i := 0; i < 8; i++ {
		k[i] = byte(id.Ms >> (56 - 8*i))
		k[8+i] = byte(id.Seq >> (56 - 8*i))
	}
	return k
}

// raxNodes counts the nodes of a rax holding the sorted keys: an empty rax
// is one node; a run of bytes shared by every key is one compressed node; a
// fork is one node with a child per distinct byte; each key ends in a leaf.
func raxNodes(keys [][16]byte) int64 {
	if len(keys) == 0 {
		return 1
	}
	return raxCount(keys, 0)
}

func raxCount(keys [][16]byte, d int) int64 {
	if d == 16 {
		return 1
	}
	first, last := keys[0], keys[len(keys)-1]
	l := 0
	for d+l < 16 && first[d+l] == last[d+l] {
		l++
	}
	if l > 0 {
		return 1 + raxCount(keys, d+l)
	}
	n := int64(1)
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][d] == keys[i][d] {
			j++
		}
		n += raxCount(keys[i:j], d+1)
		i = j
	}
	return n
}
