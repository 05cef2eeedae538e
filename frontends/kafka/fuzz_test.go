package kafka

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/storage"
)

// seedRequests returns plausible requests for every registered API.
func seedRequests() []kmsg.Request {
	str := kmsg.StringPtr
	md := kmsg.NewPtrMetadataRequest()
	md.Topics = []kmsg.MetadataRequestTopic{{Topic: str("fuzz")}}
	md.AllowAutoTopicCreation = true

	pr := produceReq("fuzz", 0, 1, batch(-1, -1, -1, 1, "a", "b"))

	fe := kmsg.NewPtrFetchRequest()
	fe.MaxWaitMillis, fe.MinBytes, fe.MaxBytes = 50, 1, 1<<20
	ft := kmsg.NewFetchRequestTopic()
	ft.Topic = "fuzz"
	fp := kmsg.NewFetchRequestTopicPartition()
	fp.PartitionMaxBytes = 1 << 20
	ft.Partitions = []kmsg.FetchRequestTopicPartition{fp}
	fe.Topics = []kmsg.FetchRequestTopic{ft}

	lo := kmsg.NewPtrListOffsetsRequest()
	lot := kmsg.NewListOffsetsRequestTopic()
	lot.Topic = "fuzz"
	lot.Partitions = []kmsg.ListOffsetsRequestTopicPartition{{Partition: 0, Timestamp: -2, CurrentLeaderEpoch: -1}}
	lo.Topics = []kmsg.ListOffsetsRequestTopic{lot}

	jg := kmsg.NewPtrJoinGroupRequest()
	jg.Group, jg.SessionTimeoutMillis, jg.RebalanceTimeoutMillis, jg.ProtocolType = "g", 10000, 10000, "consumer"
	jg.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{0, 0}}}

	sg := kmsg.NewPtrSyncGroupRequest()
	sg.Group, sg.MemberID = "g", "m"
	hb := kmsg.NewPtrHeartbeatRequest()
	hb.Group, hb.MemberID = "g", "m"
	lg := kmsg.NewPtrLeaveGroupRequest()
	lg.Group, lg.MemberID = "g", "m"
	lg.Members = []kmsg.LeaveGroupRequestMember{{MemberID: "m"}}

	oc := kmsg.NewPtrOffsetCommitRequest()
	oc.Group = "g"
	oc.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: "fuzz", Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: 0, Offset: 1}}}}
	of := kmsg.NewPtrOffsetFetchRequest()
	of.Group = "g"
	of.Groups = []kmsg.OffsetFetchRequestGroup{{Group: "g"}}

	fc := kmsg.NewPtrFindCoordinatorRequest()
	fc.CoordinatorKey, fc.CoordinatorKeys = "g", []string{"g"}

	ct := kmsg.NewPtrCreateTopicsRequest()
	ctt := kmsg.NewCreateTopicsRequestTopic()
	ctt.Topic, ctt.NumPartitions, ctt.ReplicationFactor = "fuzz2", 2, 1
	ctt.Configs = []kmsg.CreateTopicsRequestTopicConfig{{Name: "retention.ms", Value: str("1000")}}
	ct.Topics = []kmsg.CreateTopicsRequestTopic{ctt}

	dt := kmsg.NewPtrDeleteTopicsRequest()
	dt.TopicNames = []string{"fuzz2"}
	dt.Topics = []kmsg.DeleteTopicsRequestTopic{{Topic: str("fuzz2")}}

	cp := kmsg.NewPtrCreatePartitionsRequest()
	cp.Topics = []kmsg.CreatePartitionsRequestTopic{{Topic: "fuzz", Count: 2}}

	dc := kmsg.NewPtrDescribeConfigsRequest()
	dc.Resources = []kmsg.DescribeConfigsRequestResource{{ResourceType: kmsg.ConfigResourceTypeTopic, ResourceName: "fuzz"}, {ResourceType: kmsg.ConfigResourceTypeBroker}}
	ac := kmsg.NewPtrAlterConfigsRequest()
	ac.Resources = []kmsg.AlterConfigsRequestResource{{ResourceType: kmsg.ConfigResourceTypeTopic, ResourceName: "fuzz", Configs: []kmsg.AlterConfigsRequestResourceConfig{{Name: "retention.ms", Value: str("5")}}}}
	ia := kmsg.NewPtrIncrementalAlterConfigsRequest()
	ia.Resources = []kmsg.IncrementalAlterConfigsRequestResource{{ResourceType: kmsg.ConfigResourceTypeTopic, ResourceName: "fuzz", Configs: []kmsg.IncrementalAlterConfigsRequestResourceConfig{{Name: "cleanup.policy", Op: 2, Value: str("compact")}}}}

	dg := kmsg.NewPtrDescribeGroupsRequest()
	dg.Groups = []string{"g"}
	dlg := kmsg.NewPtrDeleteGroupsRequest()
	dlg.Groups = []string{"g"}
	ofe := kmsg.NewPtrOffsetForLeaderEpochRequest()
	ofe.Topics = []kmsg.OffsetForLeaderEpochRequestTopic{{Topic: "fuzz", Partitions: []kmsg.OffsetForLeaderEpochRequestTopicPartition{{Partition: 0}}}}
	sh := kmsg.NewPtrSASLHandshakeRequest()
	sh.Mechanism = "PLAIN"
	sa := kmsg.NewPtrSASLAuthenticateRequest()
	sa.SASLAuthBytes = []byte("\x00u\x00p")

	return []kmsg.Request{
		kmsg.NewPtrApiVersionsRequest(), md, pr, fe, lo, jg, sg, hb, lg, oc, of, fc, ct, dt, cp, dc, ac, ia,
		dg, kmsg.NewPtrListGroupsRequest(), dlg, kmsg.NewPtrInitProducerIDRequest(), ofe, sh, sa,
		kmsg.NewPtrDescribeClusterRequest(),
	}
}

func FuzzRequest(f *testing.F) {
	for _, req := range seedRequests() {
		a := lookupAPI(req.Key())
		for _, v := range []int16{a.min, a.max} {
			req.SetVersion(v)
			f.Add(kmsg.NewRequestFormatter(kmsg.FormatterClientID("fuzz")).AppendRequest(nil, req, 1))
		}
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	e := newEnv(f)
	e.createTopic("fuzz", 1)
	f.Fuzz(func(t *testing.T, data []byte) {
		server, client := net.Pipe()
		c := newConn(e.s, server)
		done := make(chan struct{})
		go func() { c.serve(); close(done) }()
		go io.Copy(io.Discard, client)
		client.Write(data)
		client.Close()
		<-done
		if n := e.s.panics.Load(); n != 0 {
			t.Fatalf("%d handler panics", n)
		}
	})
}

func FuzzRecordBatch(f *testing.F) {
	f.Add(batch(-1, -1, -1, 1000, "a", "bb", ""))
	f.Add(batch(5, 0, 10, 1000, "x"))
	f.Add(compressedBatch(f, codecSnappy, func(b []byte) []byte { return snappy.Encode(nil, b) }, "s1", "s2"))
	f.Add(compressedBatch(f, codecGzip, func(b []byte) []byte { return gzipBytes(f, b) }, "g1"))
	v1 := func(value string) []byte {
		b := []byte{1, 0}
		b = binaryAppend64(b, 1234)
		b = appendBytes32(b, nil)
		b = appendBytes32(b, []byte(value))
		out := binaryAppend64(nil, 0)
		out = binaryAppend32(out, uint32(4+len(b)))
		out = binaryAppend32(out, crc32IEEE(b))
		return append(out, b...)
	}
	f.Add(append(v1("m1"), v1("m2")...))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRecordBatch(t, data)
		// Fix up length and CRC so the fuzzer gets past them into the
		// records.
		if len(data) >= batchHeaderLen && data[16] == 2 {
			fixed := bytes.Clone(data)
			binary.BigEndian.PutUint32(fixed[8:], uint32(len(fixed)-12))
			binary.BigEndian.PutUint32(fixed[17:], crc32.Checksum(fixed[21:], crc32c))
			checkRecordBatch(t, fixed)
		}
	})
}

// checkRecordBatch decodes data; whatever decodes must survive a fetch
// encoding round trip.
func checkRecordBatch(t *testing.T, data []byte) {
	{
		p, rerr := decodeProduce(data, 1, false)
		if rerr != nil {
			if rerr.code == 0 {
				t.Fatal("error without a code")
			}
			return
		}
		if len(p.recs) == 0 || p.magic == 2 && int(p.count) != len(p.recs) {
			t.Fatalf("count %d, %d records", p.count, len(p.recs))
		}
		for i := range p.recs {
			p.recs[i].Offset = int64(i)
		}
		// Fetch encoding of the decoded records decodes to the same.
		enc := appendBatches(nil, p.recs, false)
		var again []storage.Record
		for len(enc) > 0 {
			n := 12 + int(binary.BigEndian.Uint32(enc[8:]))
			q, rerr := decodeProduce(enc[:n], 1, false)
			if rerr != nil {
				t.Fatalf("re-decoding: %v", rerr)
			}
			again = append(again, q.recs...)
			enc = enc[n:]
		}
		if len(again) != len(p.recs) {
			t.Fatalf("%d records re-decoded, want %d", len(again), len(p.recs))
		}
		for i := range again {
			a, b := &p.recs[i], &again[i]
			if !sameBytes(a.Key, b.Key) || !sameBytes(a.Value, b.Value) || a.Timestamp != b.Timestamp || len(a.Headers) != len(b.Headers) {
				t.Fatalf("record %d: %+v became %+v", i, a, b)
			}
			for j := range a.Headers {
				if !bytes.Equal(a.Headers[j].Key, b.Headers[j].Key) || !sameBytes(a.Headers[j].Value, b.Headers[j].Value) {
					t.Fatalf("record %d header %d differs", i, j)
				}
			}
		}
	}
}

// sameBytes compares byte strings including null-ness.
func sameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

// FuzzFastRecord checks the fast record decoder against the general one:
// whatever fastRecord accepts, decodeRecord decodes to the same record and
// position.
func FuzzFastRecord(f *testing.F) {
	for _, b := range [][]byte{
		batch(-1, -1, -1, 1000, "a", "bb", ""),
		batch(-1, -1, -1, 1000, string(make([]byte, 100)), string(make([]byte, 300))),
	} {
		f.Add(b[batchHeaderLen:])
	}
	f.Add([]byte{0x0c, 0, 0, 0, 1, 0x02, 'x', 0})        // key null, value "x"
	f.Add([]byte{0x0e, 0, 0x80, 0x01, 0, 0x01, 0x02, 0}) // two-byte ts delta
	f.Add([]byte{0x0c, 0, 0, 0, 1, 0x02, 'x', 0x02})     // one header: not fast
	f.Fuzz(func(t *testing.T, body []byte) {
		for pos := 0; pos < len(body); {
			var fast storage.Record
			ts, off, next, ok := fastRecord(body, pos, &fast)
			var slow storage.Record
			ts2, off2, next2, rerr := decodeRecord(body, pos, &slow)
			if !ok {
				if rerr != nil {
					return
				}
				pos = next2
				continue
			}
			if rerr != nil {
				t.Fatalf("at %d: fast path accepted what decodeRecord rejects: %v", pos, rerr)
			}
			if ts != ts2 || off != off2 || next != next2 || !sameBytes(fast.Key, slow.Key) || !sameBytes(fast.Value, slow.Value) || len(slow.Headers) != 0 {
				t.Fatalf("at %d: fast %d %d %d %q %q, general %d %d %d %q %q", pos, ts, off, next, fast.Key, fast.Value, ts2, off2, next2, slow.Key, slow.Value)
			}
			pos = next
		}
	})
}
