// The classic group coordinator (JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, and the group checks of OffsetCommit), after Kafka's
// GroupCoordinator: each group is a mutex-guarded state machine
//
//	Empty → PreparingRebalance → CompletingRebalance → Stable → …
//
// Members are dynamic (ids handed out with MEMBER_ID_REQUIRED on v4+) or
// static (group.instance.id, KIP-345: a rejoin under the same instance id
// replaces the old member, without a rebalance when nothing changed). The
// first rebalance of an empty group waits group.initial.rebalance.delay.ms,
// extended while new members keep arriving, up to the rebalance timeout.
// A rebalance completes when every member has rejoined or the rebalance
// timeout expires (members that did not rejoin are removed); members that
// do not SyncGroup within the rebalance timeout are removed too. Session
// timeouts are timers reset by heartbeats, never polled. The protocol is
// chosen by vote among those every member supports, so any client-side
// assignor (range, sticky, cooperative-sticky, …) works.
//
// Blocking requests (JoinGroup, SyncGroup) wait on a one-slot channel that
// the state machine fills without ever blocking; a waiter whose connection
// or server goes away stops waiting. Group state is in memory; committed
// offsets go to the broker (see 08_offset_commit.go), and a group's
// protocol type is kept as a broker definition so groups are listed after a
// restart.

package kafka

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type groupState int8

const (
	groupEmpty groupState = iota
	groupPreparing
	groupCompleting
	groupStable
	groupDead
)

func (s groupState) String() string {
	switch s {
	case groupEmpty:
		return "Empty"
	case groupPreparing:
		return "PreparingRebalance"
	case groupCompleting:
		return "CompletingRebalance"
	case groupStable:
		return "Stable"
	}
	return "Dead"
}

const groupDefKind = "kafka-group"

// coordinator owns every group.
type coordinator struct {
	s    *Server
	shut atomic.Bool

	mu     sync.Mutex // guards groups; taken before any group.mu
	groups map[string]*group
}

// group is one classic consumer group.
type group struct {
	co   *coordinator
	name string

	mu           sync.Mutex // guards every field below
	state        groupState
	generation   int32
	protocolType string
	protocol     string
	leader       string
	members      map[string]*member
	pending      map[string]*member // got MEMBER_ID_REQUIRED, not joined yet
	static       map[string]string  // instance id → member id
	awaitingSync map[string]bool    // members that have not sent SyncGroup this generation
	typeSaved    bool               // protocolType stored as a definition

	rebalanceTimer *time.Timer
	syncTimer      *time.Timer
	timerSeq       uint64 // invalidates callbacks of stopped group timers
	initialDelay   bool   // in the initial delayed join
	delayLeft      time.Duration
	newJoined      bool // a new member joined during the initial delay
}

// member is one group member.
type member struct {
	id               string
	instanceID       *string
	clientID         string
	clientHost       string
	protocolType     string
	protocols        []kmsg.JoinGroupRequestProtocol
	sessionTimeout   time.Duration
	rebalanceTimeout time.Duration
	assignment       []byte

	join  chan joinResult // set while a JoinGroup waits for the rebalance
	sync  chan syncResult // set while a SyncGroup waits for the leader
	timer *time.Timer     // session expiry (or pending expiry)
	seq   uint64          // invalidates callbacks of stopped member timers
}

// joinResult is what a JoinGroup receives.
type joinResult struct {
	code           int16
	generation     int32
	protocolType   string
	protocol       string
	leader         string
	memberID       string
	members        []kmsg.JoinGroupResponseMember
	skipAssignment bool
}

// syncResult is what a SyncGroup receives.
type syncResult struct {
	code         int16
	protocolType string
	protocol     string
	assignment   []byte
}

func newCoordinator(s *Server) *coordinator {
	co := &coordinator{s: s, groups: make(map[string]*group)}
	// Groups known before a restart come back Empty with their type.
	err := s.b.Definitions(groupDefKind, func(name string, v []byte) error {
		g := co.newGroup(name)
		g.protocolType, g.typeSaved = string(v), true
		co.groups[name] = g
		return nil
	})
	if err != nil {
		s.log.Warn("loading groups", "err", err)
	}
	return co
}

func (co *coordinator) newGroup(name string) *group {
	return &group{
		co:           co,
		name:         name,
		members:      make(map[string]*member),
		pending:      make(map[string]*member),
		static:       make(map[string]string),
		awaitingSync: make(map[string]bool),
	}
}

// group returns the named group, creating it when create is set.
func (co *coordinator) group(name string, create bool) *group {
	co.mu.Lock()
	defer co.mu.Unlock()
	g := co.groups[name]
	if g == nil && create {
		g = co.newGroup(name)
		co.groups[name] = g
	}
	return g
}

// list returns every group, sorted by name.
func (co *coordinator) list() []*group {
	co.mu.Lock()
	gs := make([]*group, 0, len(co.groups))
	for _, g := range co.groups {
		gs = append(gs, g)
	}
	co.mu.Unlock()
	slices.SortFunc(gs, func(a, b *group) int { return strings.Compare(a.name, b.name) })
	return gs
}

// remove deletes an empty group; false if it has members.
func (co *coordinator) remove(name string) (found, removed bool) {
	co.mu.Lock()
	defer co.mu.Unlock()
	g := co.groups[name]
	if g == nil {
		return false, true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state != groupEmpty && g.state != groupDead || len(g.members) > 0 {
		return true, false
	}
	g.state = groupDead
	g.stopTimers()
	for _, m := range g.pending {
		stopMemberTimer(m)
	}
	delete(co.groups, name)
	if g.typeSaved {
		if err := co.s.b.DeleteDefinition(groupDefKind, name); err != nil {
			co.s.log.Warn("deleting group definition", "group", name, "err", err)
		}
	}
	return true, true
}

// shutdown stops every timer; waiters leave through their contexts.
func (co *coordinator) shutdown() {
	co.shut.Store(true)
	co.mu.Lock()
	defer co.mu.Unlock()
	for _, g := range co.groups {
		g.mu.Lock()
		g.stopTimers()
		for _, m := range g.members {
			stopMemberTimer(m)
		}
		for _, m := range g.pending {
			stopMemberTimer(m)
		}
		g.mu.Unlock()
	}
}

// afterFunc runs fn with g.mu held after d, unless the group's timers were
// stopped or reset since (seq) or the server shut down.
func (g *group) afterFunc(d time.Duration, fn func()) *time.Timer {
	seq := g.timerSeq
	return time.AfterFunc(d, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.timerSeq != seq || g.co.shut.Load() || g.state == groupDead {
			return
		}
		fn()
	})
}

func (g *group) stopTimers() {
	g.timerSeq++
	if g.rebalanceTimer != nil {
		g.rebalanceTimer.Stop()
		g.rebalanceTimer = nil
	}
	if g.syncTimer != nil {
		g.syncTimer.Stop()
		g.syncTimer = nil
	}
}

func stopMemberTimer(m *member) {
	m.seq++
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
}

// armMember (re)starts m's session timer; fn runs with g.mu held when it
// fires without being re-armed.
func (g *group) armMember(m *member, fn func()) {
	stopMemberTimer(m)
	seq := m.seq
	m.timer = time.AfterFunc(m.sessionTimeout, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if m.seq != seq || g.co.shut.Load() {
			return
		}
		fn()
	})
}

// heartbeat restarts m's session timer. A member waiting in JoinGroup or
// SyncGroup is kept alive, as in Kafka.
func (g *group) heartbeat(m *member) {
	g.armMember(m, func() {
		if g.members[m.id] != m {
			return
		}
		if m.join != nil || m.sync != nil {
			g.heartbeat(m)
			return
		}
		g.co.s.log.Info("group member session expired", "group", g.name, "member", m.id)
		g.removeMember(m)
		g.memberGone()
	})
}

// newMemberID makes a member id as Kafka does: client id (or instance id)
// and a UUID.
func newMemberID(clientID string, instanceID *string) string {
	prefix := clientID
	if instanceID != nil {
		prefix = *instanceID
	}
	return prefix + "-" + formatUUID(newUUID())
}

// supports reports whether a join's protocols fit the group (Kafka's
// supportsProtocols): same type, and one protocol every member supports.
func (g *group) supports(protocolType string, protos []kmsg.JoinGroupRequestProtocol) bool {
	if protocolType == "" || len(protos) == 0 {
		return false
	}
	if len(g.members) == 0 {
		return true
	}
	if protocolType != g.protocolType {
		return false
	}
	for _, p := range protos {
		all := true
		for _, m := range g.members {
			if !slices.ContainsFunc(m.protocols, func(q kmsg.JoinGroupRequestProtocol) bool { return q.Name == p.Name }) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// sameProtocols reports whether a rejoin changes nothing.
func sameProtocols(a, b []kmsg.JoinGroupRequestProtocol) bool {
	return slices.EqualFunc(a, b, func(x, y kmsg.JoinGroupRequestProtocol) bool {
		return x.Name == y.Name && bytes.Equal(x.Metadata, y.Metadata)
	})
}

// copyProtocols copies a request's protocols out of the request buffer.
func copyProtocols(ps []kmsg.JoinGroupRequestProtocol) []kmsg.JoinGroupRequestProtocol {
	out := make([]kmsg.JoinGroupRequestProtocol, len(ps))
	for i, p := range ps {
		out[i] = kmsg.JoinGroupRequestProtocol{Name: p.Name, Metadata: bytes.Clone(p.Metadata)}
	}
	return out
}

// joinParams are a JoinGroup's validated inputs.
type joinParams struct {
	memberID         string
	instanceID       *string
	clientID         string
	clientHost       string
	protocolType     string
	protocols        []kmsg.JoinGroupRequestProtocol
	sessionTimeout   time.Duration
	rebalanceTimeout time.Duration
	requireKnownID   bool // v4+: dynamic members first get MEMBER_ID_REQUIRED
}

// join handles a JoinGroup. It returns either a channel to wait on or an
// immediate result.
func (g *group) join(jp joinParams) (<-chan joinResult, joinResult) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fail := func(code int16) (<-chan joinResult, joinResult) {
		return nil, joinResult{code: code, memberID: jp.memberID, generation: -1}
	}
	if g.state == groupDead || g.co.shut.Load() {
		return fail(kerr.CoordinatorNotAvailable.Code)
	}
	if !g.supports(jp.protocolType, jp.protocols) {
		return fail(kerr.InconsistentGroupProtocol.Code)
	}
	if jp.memberID == "" {
		if jp.instanceID != nil {
			if old, ok := g.static[*jp.instanceID]; ok {
				if m := g.members[old]; m != nil {
					return g.replaceStatic(m, jp)
				}
				delete(g.static, *jp.instanceID)
			}
		}
		m := &member{
			id:         newMemberID(jp.clientID, jp.instanceID),
			instanceID: jp.instanceID,
			clientID:   jp.clientID,
			clientHost: jp.clientHost,
		}
		g.update(m, jp)
		if jp.requireKnownID && jp.instanceID == nil {
			g.pending[m.id] = m
			g.armMember(m, func() { delete(g.pending, m.id); g.maybeCompleteJoin() })
			return nil, joinResult{code: kerr.MemberIDRequired.Code, memberID: m.id, generation: -1}
		}
		if jp.instanceID != nil {
			g.static[*jp.instanceID] = m.id
		}
		return g.addMember(m), joinResult{}
	}

	if m, ok := g.pending[jp.memberID]; ok {
		delete(g.pending, m.id)
		stopMemberTimer(m)
		g.update(m, jp)
		return g.addMember(m), joinResult{}
	}
	if code := g.checkInstance(jp.instanceID, jp.memberID); code != 0 {
		return fail(code)
	}
	m := g.members[jp.memberID]
	if m == nil {
		return fail(kerr.UnknownMemberID.Code)
	}
	switch g.state {
	case groupPreparing:
		g.update(m, jp)
		ch := g.awaitJoin(m)
		g.maybeCompleteJoin()
		return ch, joinResult{}
	case groupCompleting:
		if sameProtocols(m.protocols, jp.protocols) {
			// A retried join of the generation being synced.
			return nil, g.joinResultFor(m)
		}
		g.update(m, jp)
		ch := g.awaitJoin(m)
		g.prepareRebalance()
		return ch, joinResult{}
	case groupStable:
		if m.id != g.leader && sameProtocols(m.protocols, jp.protocols) {
			g.heartbeat(m)
			return nil, g.joinResultFor(m)
		}
		g.update(m, jp)
		ch := g.awaitJoin(m)
		g.prepareRebalance()
		return ch, joinResult{}
	}
	return fail(kerr.UnknownMemberID.Code)
}

// update copies a join's settings into m.
func (g *group) update(m *member, jp joinParams) {
	m.protocolType = jp.protocolType
	m.protocols = copyProtocols(jp.protocols)
	m.sessionTimeout = jp.sessionTimeout
	m.rebalanceTimeout = jp.rebalanceTimeout
	m.clientID, m.clientHost = jp.clientID, jp.clientHost
}

// awaitJoin makes m wait for the end of the join phase.
func (g *group) awaitJoin(m *member) chan joinResult {
	if m.join != nil {
		// An older JoinGroup of this member is superseded.
		m.join <- joinResult{code: kerr.RebalanceInProgress.Code, memberID: m.id, generation: -1}
	}
	m.join = make(chan joinResult, 1)
	return m.join
}

// addMember adds a joining member and moves the rebalance along.
func (g *group) addMember(m *member) chan joinResult {
	if len(g.members) == 0 {
		g.setProtocolType(m.protocolType)
	}
	g.members[m.id] = m
	ch := g.awaitJoin(m)
	switch g.state {
	case groupPreparing:
		if g.initialDelay {
			g.newJoined = true
		}
		g.maybeCompleteJoin()
	default:
		g.prepareRebalance()
	}
	return ch
}

// setProtocolType sets the group's type, storing it so the group is
// listed after a restart.
func (g *group) setProtocolType(t string) {
	if g.protocolType == t && g.typeSaved {
		return
	}
	g.protocolType = t
	if err := g.co.s.b.SaveDefinition(groupDefKind, g.name, []byte(t)); err != nil {
		g.co.s.log.Warn("saving group definition", "group", g.name, "err", err)
		return
	}
	g.typeSaved = true
}

// replaceStatic lets a new instance of a static member take its place.
func (g *group) replaceStatic(old *member, jp joinParams) (<-chan joinResult, joinResult) {
	m := &member{
		id:         newMemberID(jp.clientID, jp.instanceID),
		instanceID: jp.instanceID,
		clientID:   jp.clientID,
		clientHost: jp.clientHost,
		assignment: old.assignment,
	}
	g.update(m, jp)
	fenced := joinResult{code: kerr.FencedInstanceID.Code, memberID: old.id, generation: -1}
	if old.join != nil {
		old.join <- fenced
		old.join = nil
	}
	if old.sync != nil {
		old.sync <- syncResult{code: kerr.FencedInstanceID.Code}
		old.sync = nil
	}
	stopMemberTimer(old)
	delete(g.members, old.id)
	g.members[m.id] = m
	g.static[*jp.instanceID] = m.id
	if g.leader == old.id {
		g.leader = m.id
	}
	if g.awaitingSync[old.id] {
		delete(g.awaitingSync, old.id)
		g.awaitingSync[m.id] = true
	}
	if g.state == groupStable && sameProtocols(old.protocols, m.protocols) {
		g.heartbeat(m)
		jr := g.joinResultFor(m)
		// KIP-814: a replaced leader learns the members but keeps the
		// current assignment.
		jr.skipAssignment = m.id == g.leader
		return nil, jr
	}
	ch := g.awaitJoin(m)
	if g.state == groupPreparing {
		g.maybeCompleteJoin()
	} else {
		g.prepareRebalance()
	}
	return ch, joinResult{}
}

// checkInstance validates a static member's instance id against its member id.
func (g *group) checkInstance(instanceID *string, memberID string) int16 {
	if instanceID == nil {
		return 0
	}
	id, ok := g.static[*instanceID]
	switch {
	case !ok:
		return kerr.UnknownMemberID.Code
	case id != memberID:
		return kerr.FencedInstanceID.Code
	}
	return 0
}

// maxRebalanceTimeout is the longest rebalance timeout among members.
func (g *group) maxRebalanceTimeout() time.Duration {
	var d time.Duration
	for _, m := range g.members {
		d = max(d, m.rebalanceTimeout)
	}
	return d
}

// prepareRebalance starts a join phase.
func (g *group) prepareRebalance() {
	if g.state == groupCompleting {
		// Followers waiting for the leader's assignment must rejoin.
		for _, m := range g.members {
			if m.sync != nil {
				m.sync <- syncResult{code: kerr.RebalanceInProgress.Code}
				m.sync = nil
			}
		}
	}
	for _, m := range g.members {
		m.assignment = nil
	}
	clear(g.awaitingSync)
	wasEmpty := g.state == groupEmpty
	g.stopTimers()
	g.state = groupPreparing
	if h := g.co.s.rebalanceHook; h != nil {
		h(g.name)
	}
	if delay := g.co.s.cfg.GroupInitialRebalanceDelay; wasEmpty && delay > 0 {
		total := g.maxRebalanceTimeout()
		first := min(delay, total)
		g.initialDelay, g.newJoined, g.delayLeft = true, false, total-first
		g.rebalanceTimer = g.afterFunc(first, g.initialDelayDone)
		return
	}
	g.initialDelay = false
	g.rebalanceTimer = g.afterFunc(g.maxRebalanceTimeout(), g.completeJoin)
	g.maybeCompleteJoin()
}

// initialDelayDone extends the initial delay while members keep joining.
func (g *group) initialDelayDone() {
	if g.newJoined && g.delayLeft > 0 {
		d := min(g.co.s.cfg.GroupInitialRebalanceDelay, g.delayLeft)
		g.delayLeft -= d
		g.newJoined = false
		g.rebalanceTimer = g.afterFunc(d, g.initialDelayDone)
		return
	}
	g.initialDelay = false
	g.completeJoin()
}

// maybeCompleteJoin ends the join phase once every member has rejoined.
func (g *group) maybeCompleteJoin() {
	if g.state != groupPreparing || g.initialDelay || len(g.pending) > 0 {
		return
	}
	for _, m := range g.members {
		if m.join == nil {
			return
		}
	}
	g.completeJoin()
}

// completeJoin ends the join phase: members that did not rejoin are
// removed, a new generation starts and every joined member is answered.
func (g *group) completeJoin() {
	if g.state != groupPreparing {
		return
	}
	g.stopTimers()
	g.initialDelay = false
	for _, m := range g.members {
		if m.join == nil {
			g.removeMember(m)
		}
	}
	g.generation++
	if len(g.members) == 0 {
		g.state = groupEmpty
		g.protocol, g.leader = "", ""
		return
	}
	g.protocol = g.selectProtocol()
	if g.members[g.leader] == nil {
		ids := make([]string, 0, len(g.members))
		for id := range g.members {
			ids = append(ids, id)
		}
		g.leader = slices.Min(ids)
	}
	g.state = groupCompleting
	for id, m := range g.members {
		g.awaitingSync[id] = true
		m.join <- g.joinResultFor(m)
		m.join = nil
		g.heartbeat(m)
	}
	gen := g.generation
	g.syncTimer = g.afterFunc(g.maxRebalanceTimeout(), func() {
		if g.state != groupCompleting || g.generation != gen {
			return
		}
		for id := range g.awaitingSync {
			if m := g.members[id]; m != nil {
				g.co.s.log.Info("group member did not sync in time", "group", g.name, "member", id)
				g.removeMember(m)
			}
		}
		g.prepareRebalance()
	})
}

// selectProtocol picks the protocol every member supports with the most
// first-choice votes (Kafka's vote).
func (g *group) selectProtocol() string {
	ids := make([]string, 0, len(g.members))
	for id := range g.members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	supportedByAll := func(name string) bool {
		for _, m := range g.members {
			if !slices.ContainsFunc(m.protocols, func(p kmsg.JoinGroupRequestProtocol) bool { return p.Name == name }) {
				return false
			}
		}
		return true
	}
	votes := make(map[string]int)
	best, bestVotes := "", 0
	for _, id := range ids {
		for _, p := range g.members[id].protocols {
			if supportedByAll(p.Name) {
				votes[p.Name]++
				if v := votes[p.Name]; v > bestVotes {
					best, bestVotes = p.Name, v
				}
				break
			}
		}
	}
	return best
}

// joinResultFor is the current generation's JoinGroup answer for m; the
// leader also gets every member's metadata for the chosen protocol.
func (g *group) joinResultFor(m *member) joinResult {
	jr := joinResult{
		generation:   g.generation,
		protocolType: g.protocolType,
		protocol:     g.protocol,
		leader:       g.leader,
		memberID:     m.id,
	}
	if m.id == g.leader {
		ids := make([]string, 0, len(g.members))
		for id := range g.members {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			o := g.members[id]
			jm := kmsg.NewJoinGroupResponseMember()
			jm.MemberID, jm.InstanceID = o.id, o.instanceID
			for _, p := range o.protocols {
				if p.Name == g.protocol {
					jm.ProtocolMetadata = p.Metadata
					break
				}
			}
			jr.members = append(jr.members, jm)
		}
	}
	return jr
}

// removeMember drops m, answering any request it has waiting. The caller
// moves the group along with memberGone.
func (g *group) removeMember(m *member) {
	stopMemberTimer(m)
	delete(g.members, m.id)
	delete(g.awaitingSync, m.id)
	if m.instanceID != nil && g.static[*m.instanceID] == m.id {
		delete(g.static, *m.instanceID)
	}
	if m.join != nil {
		m.join <- joinResult{code: kerr.UnknownMemberID.Code, memberID: m.id, generation: -1}
		m.join = nil
	}
	if m.sync != nil {
		m.sync <- syncResult{code: kerr.UnknownMemberID.Code}
		m.sync = nil
	}
}

// memberGone rebalances after a member left or expired.
func (g *group) memberGone() {
	switch g.state {
	case groupStable, groupCompleting:
		g.prepareRebalance()
	case groupPreparing:
		g.maybeCompleteJoin()
	}
}

// syncParams are a SyncGroup's inputs.
type syncParams struct {
	memberID     string
	instanceID   *string
	generation   int32
	protocolType *string
	protocol     *string
	assignments  []kmsg.SyncGroupRequestGroupAssignment
}

// sync handles a SyncGroup: a channel to wait on or an immediate result.
func (g *group) sync(sp syncParams) (<-chan syncResult, syncResult) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fail := func(code int16) (<-chan syncResult, syncResult) { return nil, syncResult{code: code} }
	if g.co.shut.Load() {
		return fail(kerr.CoordinatorNotAvailable.Code)
	}
	if code := g.checkInstance(sp.instanceID, sp.memberID); code != 0 {
		return fail(code)
	}
	m := g.members[sp.memberID]
	switch {
	case m == nil:
		return fail(kerr.UnknownMemberID.Code)
	case sp.generation != g.generation:
		return fail(kerr.IllegalGeneration.Code)
	case sp.protocolType != nil && *sp.protocolType != g.protocolType,
		sp.protocol != nil && *sp.protocol != g.protocol:
		return fail(kerr.InconsistentGroupProtocol.Code)
	}
	switch g.state {
	case groupPreparing:
		return fail(kerr.RebalanceInProgress.Code)
	case groupCompleting:
		delete(g.awaitingSync, m.id)
		if m.sync != nil {
			m.sync <- syncResult{code: kerr.RebalanceInProgress.Code}
		}
		m.sync = make(chan syncResult, 1)
		ch := m.sync
		g.heartbeat(m)
		if m.id == g.leader {
			for _, a := range sp.assignments {
				if o := g.members[a.MemberID]; o != nil {
					o.assignment = bytes.Clone(a.MemberAssignment)
				}
			}
			g.state = groupStable
			g.stopTimers()
			clear(g.awaitingSync)
			for _, o := range g.members {
				if o.sync != nil {
					o.sync <- g.syncResultFor(o)
					o.sync = nil
				}
			}
		}
		return ch, syncResult{}
	case groupStable:
		g.heartbeat(m)
		return nil, g.syncResultFor(m)
	}
	return fail(kerr.UnknownMemberID.Code)
}

// syncResultFor is m's assignment answer.
func (g *group) syncResultFor(m *member) syncResult {
	a := m.assignment
	if len(a) == 0 && g.protocolType == "consumer" {
		// Some clients cannot decode an empty assignment; send an
		// encoded empty one (as kfake does).
		var empty kmsg.ConsumerMemberAssignment
		a = empty.AppendTo(nil)
	}
	return syncResult{protocolType: g.protocolType, protocol: g.protocol, assignment: a}
}

// heartbeatReq handles a Heartbeat.
func (g *group) heartbeatReq(memberID string, instanceID *string, generation int32) int16 {
	g.mu.Lock()
	defer g.mu.Unlock()
	if code := g.checkInstance(instanceID, memberID); code != 0 {
		return code
	}
	m := g.members[memberID]
	switch {
	case m == nil:
		return kerr.UnknownMemberID.Code
	case generation != g.generation:
		return kerr.IllegalGeneration.Code
	}
	switch g.state {
	case groupPreparing:
		g.heartbeat(m)
		return kerr.RebalanceInProgress.Code
	case groupCompleting, groupStable:
		g.heartbeat(m)
		return 0
	}
	return kerr.UnknownMemberID.Code
}

// leave handles one member of a LeaveGroup.
func (g *group) leave(memberID string, instanceID *string) (string, int16) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if instanceID != nil {
		id, ok := g.static[*instanceID]
		switch {
		case !ok:
			return memberID, kerr.UnknownMemberID.Code
		case memberID != "" && memberID != id:
			return memberID, kerr.FencedInstanceID.Code
		}
		memberID = id
	}
	if m, ok := g.pending[memberID]; ok {
		stopMemberTimer(m)
		delete(g.pending, memberID)
		g.maybeCompleteJoin()
		return memberID, 0
	}
	m := g.members[memberID]
	if m == nil {
		return memberID, kerr.UnknownMemberID.Code
	}
	g.removeMember(m)
	g.memberGone()
	return memberID, 0
}

// checkCommit validates an OffsetCommit against the group, as Kafka's
// GroupCoordinator does; a member's commit counts as a heartbeat.
func (g *group) checkCommit(memberID string, instanceID *string, generation int32) int16 {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state == groupDead {
		return kerr.CoordinatorNotAvailable.Code
	}
	if generation < 0 && g.state == groupEmpty {
		return 0 // a "simple" commit by a client managing its own partitions
	}
	if code := g.checkInstance(instanceID, memberID); code != 0 {
		return code
	}
	m := g.members[memberID]
	if m == nil {
		if generation >= 0 || memberID != "" {
			return kerr.UnknownMemberID.Code
		}
		return kerr.IllegalGeneration.Code
	}
	if generation != g.generation {
		return kerr.IllegalGeneration.Code
	}
	if g.state == groupCompleting {
		return kerr.RebalanceInProgress.Code
	}
	g.heartbeat(m)
	return 0
}

// describe returns a snapshot for DescribeGroups and ListGroups.
func (g *group) describe() (state groupState, protocolType, protocol string, members []kmsg.DescribeGroupsResponseGroupMember) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ids := make([]string, 0, len(g.members))
	for id := range g.members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		m := g.members[id]
		dm := kmsg.NewDescribeGroupsResponseGroupMember()
		dm.MemberID, dm.InstanceID, dm.ClientID, dm.ClientHost = m.id, m.instanceID, m.clientID, m.clientHost
		dm.ProtocolMetadata, dm.MemberAssignment = []byte{}, []byte{}
		if g.state == groupStable {
			// Like Kafka, metadata and assignment only when stable.
			for _, p := range m.protocols {
				if p.Name == g.protocol {
					dm.ProtocolMetadata = p.Metadata
				}
			}
			dm.MemberAssignment = g.syncResultFor(m).assignment
		}
		members = append(members, dm)
	}
	return g.state, g.protocolType, g.protocol, members
}
