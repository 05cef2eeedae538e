// Entries-read and lag bookkeeping for stream groups, ported from Redis 7's
// t_stream.c (streamRangeHasTombstones, streamEstimateDistanceFromFirstEverEntry
// and streamReplyWithCGLag). One difference: Info().MaxDeletedID also rises
// on trimming, while Redis's max_deleted_entry_id does not; trimmed IDs always
// sort before the first live entry, which these functions treat as "no
// tombstone", so the results are the same.
package broker

import "junction/storage"

// rangeHasTombstones reports whether an entry with ID >= start may have
// been deleted, so counting entries from start is unreliable.
func (s StreamInfo) rangeHasTombstones(start storage.StreamID) bool {
	if s.Length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	if s.MaxDeletedID.Less(s.FirstID) {
		return false // the latest tombstone is before the first entry
	}
	return !s.MaxDeletedID.Less(start)
}

// EntriesReadAt returns id's logical read counter: the number of entries
// added up to and including id, counted from the first entry ever added.
// It returns -1 when that cannot be known (id lies between live entries of
// a stream with tombstones, or in the future).
func (s StreamInfo) EntriesReadAt(id storage.StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.Length == 0 && id.Compare(s.LastID) < 1 {
		return s.EntriesAdded
	}
	switch id.Compare(s.LastID) {
	case 0:
		return s.EntriesAdded
	case 1:
		return -1
	}
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.FirstID) {
		switch id.Compare(s.FirstID) {
		case -1:
			return s.EntriesAdded - s.Length
		case 0:
			return s.EntriesAdded - s.Length + 1
		}
	}
	return -1
}

// Lag returns how many entries a group whose last delivered ID is lastID
// and whose entries-read counter is entriesRead (-1: unknown) has yet to
// read, and false when that cannot be known (XINFO GROUPS "lag" is nil).
func (s StreamInfo) Lag(lastID storage.StreamID, entriesRead int64) (int64, bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	if entriesRead != -1 && !s.rangeHasTombstones(lastID) {
		return s.EntriesAdded - entriesRead, true
	}
	if n := s.EntriesReadAt(lastID); n != -1 {
		return s.EntriesAdded - n, true
	}
	return 0, false
}

// advanceRead updates a group's counters for delivering id (> LastID).
func (s StreamInfo) advanceRead(st *GroupState, id storage.StreamID) {
	if st.EntriesRead != -1 && !s.rangeHasTombstones(id) {
		st.EntriesRead++
	} else if s.EntriesAdded != 0 {
		st.EntriesRead = s.EntriesReadAt(id)
	}
	st.LastID = id
}
