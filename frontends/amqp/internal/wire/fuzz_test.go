package wire

// Fuzz targets for every decoder. Invariants: no panic; allocation bounded
// by the input (frames: by frame-max); every error maps to a reply code;
// and whatever decodes re-encodes to octets that decode to the same value
// (compared as re-encoded octets, so NaN payloads count as equal).

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
)

// allocated returns the octets fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// checkAllocBound fails if decoding n octets allocated more than a small
// multiple of n: a length prefix must never turn into an allocation.
func checkAllocBound(t *testing.T, n int, got uint64) {
	t.Helper()
	if limit := uint64(128*n + 16<<10); got > limit {
		t.Fatalf("decoding %d octets allocated %d octets (limit %d)", n, got, limit)
	}
}

func FuzzReadFrame(f *testing.F) {
	p := allProperties()
	props := EncodeProperties(nil, &p)
	f.Add(AppendDeliver(nil, 1, "ctag", 1, true, "ex", "rk", props, make([]byte, 9000), 4096), uint16(4096))
	f.Add(AppendHeartbeat(nil), uint16(0))
	f.Add(frameBytes(FrameBody, 1, make([]byte, 5000)), uint16(8192))
	f.Add(frameBytes(FrameBody, 1, make([]byte, 5000)), uint16(4096))
	f.Add([]byte{FrameBody, 0, 1, 0xff, 0xff, 0xff, 0xff, 0}, uint16(65535))
	f.Add([]byte{FrameMethod, 0, 0, 0, 0, 0, 1, 0, 0}, uint16(0))
	f.Add([]byte("AMQP\x00\x00\x09\x01"), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, frameMax uint16) {
		r := bufio.NewReader(bytes.NewReader(data))
		var fr Frame
		off := 0
		for {
			err := ReadFrame(r, &fr, int(frameMax))
			if cap(fr.Payload) > maxPayload(int(frameMax)) {
				t.Fatalf("payload capacity %d exceeds frame-max %d", cap(fr.Payload), frameMax)
			}
			if err != nil {
				switch {
				case err == io.EOF:
					if off != len(data) {
						t.Fatalf("io.EOF at %d of %d", off, len(data))
					}
				case errors.Is(err, io.ErrUnexpectedEOF):
				case ReplyCode(err) != FrameError:
					t.Fatalf("error %v maps to %d", err, ReplyCode(err))
				}
				return
			}
			again := finishFrame(append(appendFrameHeader(nil, fr.Type, fr.Channel), fr.Payload...), 0)
			if !bytes.HasPrefix(data[off:], again) {
				t.Fatalf("frame at %d re-encodes differently", off)
			}
			off += len(again)
		}
	})
}

func FuzzReadMethod(f *testing.F) {
	for _, m := range sampleMethods() {
		frame, err := AppendMethodFrame(nil, 0, m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(frame[FrameHeaderSize : len(frame)-1])
	}
	f.Add([]byte{0, 60, 0, 40, 0, 0, 0xff})
	f.Add([]byte{0, 99, 0, 1})
	f.Fuzz(func(t *testing.T, payload []byte) {
		var m Method
		var err error
		checkAllocBound(t, len(payload), allocated(func() { m, err = ReadMethod(payload) }))
		var d Decoder
		cached, cachedErr := d.ReadMethod(payload)
		if (err == nil) != (cachedErr == nil) {
			t.Fatalf("ReadMethod: %v; Decoder.ReadMethod: %v", err, cachedErr)
		}
		if err != nil {
			if code := ReplyCode(err); code != SyntaxError && code != NotImplemented {
				t.Fatalf("error %v maps to %d", err, code)
			}
			return
		}
		frame, err := AppendMethodFrame(nil, 1, m)
		if err != nil {
			t.Fatalf("re-encoding %#v: %v", m, err)
		}
		fromCache, err := AppendMethodFrame(nil, 1, cached)
		if err != nil || !bytes.Equal(fromCache, frame) {
			t.Fatalf("Decoder result encodes differently: %v", err)
		}
		m2, err := ReadMethod(frame[FrameHeaderSize : len(frame)-1])
		if err != nil {
			t.Fatalf("re-decoding %#v: %v", m, err)
		}
		frame2, err := AppendMethodFrame(nil, 1, m2)
		if err != nil || !bytes.Equal(frame, frame2) {
			t.Fatalf("round trip differs: %v\n%x\n%x", err, frame, frame2)
		}
	})
}

func FuzzTable(f *testing.F) {
	for _, tbl := range []Table{nil, allTypes(), nested(MaxDepth), {{"a", Array{allTypes()}}}} {
		b, err := AppendTable(nil, tbl)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0, 0, 0, 7, 1, 's', 'S', 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		var tbl Table
		var err error
		checkAllocBound(t, len(b), allocated(func() { tbl, err = DecodeTable(b) }))
		r := reader{b: b}
		r.skipTable(0)
		if skipErr := r.end(); (skipErr == nil) != (err == nil) {
			t.Fatalf("DecodeTable: %v; skipTable: %v", err, skipErr)
		}
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v is not ErrSyntax", err)
			}
			return
		}
		enc, err := AppendTable(nil, tbl)
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		if len(enc) != len(b) {
			t.Fatalf("re-encoded to %d octets from %d", len(enc), len(b))
		}
		tbl2, err := DecodeTable(enc)
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		enc2, err := AppendTable(nil, tbl2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip differs: %v", err)
		}
	})
}

func FuzzProperties(f *testing.F) {
	all := allProperties()
	for _, flags := range []uint16{0, 0xFFFC, FlagHeaders, FlagContentType | FlagDeliveryMode, 0xAAA8} {
		p := only(all, flags)
		f.Add(EncodeProperties(nil, &p))
	}
	f.Add([]byte{0x00, 0x01})
	f.Add([]byte{0x20, 0x00, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Properties
		var err error
		checkAllocBound(t, len(b), allocated(func() { p, err = DecodeProperties(b) }))
		if vErr := validateProperties(b); (vErr == nil) != (err == nil) {
			t.Fatalf("DecodeProperties: %v; validateProperties: %v", err, vErr)
		}
		var h ContentHeader
		header := append([]byte{0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, b...)
		if hErr := ReadContentHeader(header, &h); (hErr == nil) != (err == nil) {
			t.Fatalf("DecodeProperties: %v; ReadContentHeader: %v", err, hErr)
		}
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v is not ErrSyntax", err)
			}
			return
		}
		enc, err := AppendProperties(nil, &p)
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		if len(enc) != len(b) {
			t.Fatalf("re-encoded to %d octets from %d", len(enc), len(b))
		}
		p2, err := DecodeProperties(enc)
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if enc2 := EncodeProperties(nil, &p2); !bytes.Equal(enc, enc2) {
			t.Fatal("round trip differs")
		}
	})
}
