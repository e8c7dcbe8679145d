//go:build linux

package ebpf

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// Offsets into the kernel's struct bpf_sock_addr (include/uapi/linux/bpf.h),
// the context of a CGroupSockAddr program. They are UAPI and never move.
const (
	offUserIP4  = 4  // __u32 user_ip4, network byte order
	offUserIP6  = 8  // __u32 user_ip6[4], network byte order
	offUserPort = 24 // __u32 user_port, network byte order in the low 16 bits
)

// Address families as the kernel spells them; they go into the allow key so
// an IPv4 entry can never match an IPv6 destination with the same bytes.
const (
	afInet  = 2
	afInet6 = 10
)

// Slots of the per-CPU stats array.
const (
	statDenied  = 0 // connect/sendmsg from a blocked cgroup refused
	statAllowed = 1 // connect/sendmsg from a blocked cgroup let through by the allow map
	statSlots   = 2
)

// Stack layout of the program (r10 is the frame pointer):
//
//	-8  .. 0    u64 cgroup id, the key of the blocked map
//	-32 .. -8   allowKey{port, family, addr[16]}, the key of the allow map
//	-36 .. -32  u32 index into the stats array
const (
	stackCgroupID = -8
	stackAllowKey = -32
	stackStatIdx  = -36
)

// hook is one attach point: which kernel hook, which address family it sees.
type hook struct {
	name   string // pin file of its link: link_<name>
	attach ebpf.AttachType
	family int // afInet or afInet6: decides which ctx fields may be read
}

// hooks are the four attach points. connect covers TCP (and connected UDP);
// sendmsg covers unconnected UDP, so a blocked agent cannot route around the
// connect hook with sendto(2).
var hooks = []hook{
	{"connect4", ebpf.AttachCGroupInet4Connect, afInet},
	{"connect6", ebpf.AttachCGroupInet6Connect, afInet6},
	{"sendmsg4", ebpf.AttachCGroupUDP4Sendmsg, afInet},
	{"sendmsg6", ebpf.AttachCGroupUDP6Sendmsg, afInet6},
}

// Map names double as pin file names under the pin directory.
const (
	mapBlocked = "blocked"
	mapAllow   = "allow"
	mapStats   = "stats"
)

// mapSpecs describes the three maps. PinByName makes a restarted process
// load the pinned map (same contents) instead of creating a fresh, empty one.
func mapSpecs() map[string]*ebpf.MapSpec {
	return map[string]*ebpf.MapSpec{
		mapBlocked: {
			Name:       mapBlocked,
			Type:       ebpf.Hash,
			KeySize:    8,  // cgroup id
			ValueSize:  16, // blockedValue
			MaxEntries: 65536,
			Pinning:    ebpf.PinByName,
		},
		mapAllow: {
			Name:       mapAllow,
			Type:       ebpf.Hash,
			KeySize:    24, // allowKey
			ValueSize:  8,  // unused flags word, reserved
			MaxEntries: 4096,
			Pinning:    ebpf.PinByName,
		},
		mapStats: {
			Name:       mapStats,
			Type:       ebpf.PerCPUArray,
			KeySize:    4,
			ValueSize:  8,
			MaxEntries: statSlots,
			Pinning:    ebpf.PinByName,
		},
	}
}

// blockedValue is the value of the blocked map. Denied is incremented by the
// program with an atomic add, so it counts refusals per cgroup.
type blockedValue struct {
	SinceUnixMilli uint64
	Denied         uint64
}

// allowKey is the key of the allow map, laid out exactly as the program
// writes it on its stack. Port and Addr are in network byte order because
// the program copies them verbatim from struct bpf_sock_addr.
type allowKey struct {
	Port   [2]byte // big endian; 0 = any port
	_      [2]byte
	Family uint32 // 0 = any address (then Addr is zero)
	Addr   [16]byte
}

// program returns the instructions of the program for one hook.
//
// In C it would read:
//
//	id = bpf_get_current_cgroup_id();
//	v = lookup(&blocked, &id); if (!v) return 1;
//	if (lookup(&allow, {port, 0, 0}) || lookup(&allow, {port, fam, addr}) ||
//	    lookup(&allow, {0, fam, addr})) { stats[1]++; return 1; }
//	atomic_add(&v->denied, 1); stats[0]++; return 0;   // 0 -> EPERM
//
// Returning 1 lets the call proceed; 0 makes connect(2)/sendmsg(2) fail
// with EPERM. A task outside every blocked cgroup costs one hash lookup.
func program(h hook, blocked, allow, stats *ebpf.Map) (asm.Instructions, error) {
	lookupAllow := func(label string) asm.Instructions {
		return asm.Instructions{
			asm.LoadMapPtr(asm.R1, 0).WithReference(mapAllow),
			asm.Mov.Reg(asm.R2, asm.R10),
			asm.Add.Imm(asm.R2, stackAllowKey),
			asm.FnMapLookupElem.Call(),
			asm.JNE.Imm(asm.R0, 0, label),
		}
	}
	count := func(slot int32, done string) asm.Instructions {
		return asm.Instructions{
			asm.StoreImm(asm.R10, stackStatIdx, int64(slot), asm.Word),
			asm.LoadMapPtr(asm.R1, 0).WithReference(mapStats),
			asm.Mov.Reg(asm.R2, asm.R10),
			asm.Add.Imm(asm.R2, stackStatIdx),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, done),
			// Per-CPU slot: no other CPU writes it, so a plain add is exact.
			asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
			asm.Add.Imm(asm.R1, 1),
			asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord),
		}
	}

	insns := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1), // ctx survives helper calls in r6
		asm.FnGetCurrentCgroupId.Call(),
		asm.StoreMem(asm.R10, stackCgroupID, asm.R0, asm.DWord),
		asm.LoadMapPtr(asm.R1, 0).WithReference(mapBlocked),
		asm.Mov.Reg(asm.R2, asm.R10),
		asm.Add.Imm(asm.R2, stackCgroupID),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "pass"),
		asm.Mov.Reg(asm.R7, asm.R0), // &blockedValue, kept for the per-cgroup counter

		// Key {port, any}: the port is allowed to every address.
		asm.LoadMem(asm.R1, asm.R6, offUserPort, asm.Word),
		asm.StoreMem(asm.R10, stackAllowKey, asm.R1, asm.Word),
		asm.StoreImm(asm.R10, stackAllowKey+4, 0, asm.Word),
		// Zero the address (asm has no 64-bit store of an immediate).
		asm.Mov.Imm(asm.R1, 0),
		asm.StoreMem(asm.R10, stackAllowKey+8, asm.R1, asm.DWord),
		asm.StoreMem(asm.R10, stackAllowKey+16, asm.R1, asm.DWord),
	}
	insns = append(insns, lookupAllow("excepted")...)

	// Key {port, family, addr}: this port on this address.
	insns = append(insns, asm.StoreImm(asm.R10, stackAllowKey+4, int64(h.family), asm.Word))
	switch h.family {
	case afInet:
		insns = append(insns,
			asm.LoadMem(asm.R1, asm.R6, offUserIP4, asm.Word),
			asm.StoreMem(asm.R10, stackAllowKey+8, asm.R1, asm.Word),
		)
	case afInet6:
		for i := int16(0); i < 4; i++ {
			insns = append(insns,
				asm.LoadMem(asm.R1, asm.R6, offUserIP6+4*i, asm.Word),
				asm.StoreMem(asm.R10, stackAllowKey+8+4*i, asm.R1, asm.Word),
			)
		}
	default:
		return nil, fmt.Errorf("hook %s: unknown family %d", h.name, h.family)
	}
	insns = append(insns, lookupAllow("excepted")...)

	// Key {any port, family, addr}: every port on this address.
	insns = append(insns, asm.StoreImm(asm.R10, stackAllowKey, 0, asm.Word))
	insns = append(insns, lookupAllow("excepted")...)

	// Denied.
	insns = append(insns,
		asm.Mov.Imm(asm.R1, 1),
		asm.Mov.Reg(asm.R2, asm.R7),
		asm.Add.Imm(asm.R2, 8), // &blockedValue.Denied
		asm.StoreXAdd(asm.R2, asm.R1, asm.DWord),
	)
	insns = append(insns, count(statDenied, "deny")...)
	insns = append(insns,
		asm.Mov.Imm(asm.R0, 0).WithSymbol("deny"),
		asm.Return(),
	)

	// Blocked cgroup, allowed destination.
	c := count(statAllowed, "pass")
	c[0] = c[0].WithSymbol("excepted")
	insns = append(insns, c...)
	insns = append(insns,
		asm.Mov.Imm(asm.R0, 1).WithSymbol("pass"),
		asm.Return(),
	)

	for name, m := range map[string]*ebpf.Map{mapBlocked: blocked, mapAllow: allow, mapStats: stats} {
		if err := insns.AssociateMap(name, m); err != nil {
			return nil, fmt.Errorf("hook %s: map %s: %w", h.name, name, err)
		}
	}
	return insns, nil
}

// programSpec wraps the instructions of one hook for loading.
func programSpec(h hook, insns asm.Instructions) *ebpf.ProgramSpec {
	return &ebpf.ProgramSpec{
		Name:         "vigil_" + h.name,
		Type:         ebpf.CGroupSockAddr,
		AttachType:   h.attach,
		Instructions: insns,
		License:      "Dual MIT/GPL",
	}
}
