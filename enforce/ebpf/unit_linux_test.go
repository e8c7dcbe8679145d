//go:build linux

package ebpf

import (
	"net/netip"
	"testing"
)

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		`/sys/fs/cgroup`:     "/sys/fs/cgroup",
		`/mnt/a\040b`:        "/mnt/a b",
		`/mnt/tab\011x\134y`: "/mnt/tab\tx\\y",
		`/mnt/short\04`:      `/mnt/short\04`,
	} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAllowKeys(t *testing.T) {
	if _, err := allowKeys(0, netip.Addr{}); err == nil {
		t.Error("allowKeys(0, none) accepted: that would allow everything")
	}
	ks, err := allowKeys(443, netip.Addr{})
	if err != nil || len(ks) != 1 || ks[0] != (allowKey{Port: [2]byte{1, 187}}) {
		t.Errorf("port only: %+v %v", ks, err)
	}
	// IPv4 also yields the v4-mapped key the connect6 hook sees.
	ks, err = allowKeys(53, netip.MustParseAddr("10.0.0.1"))
	if err != nil || len(ks) != 2 {
		t.Fatalf("v4: %+v %v", ks, err)
	}
	if ks[0].Family != afInet || ks[0].Addr != [16]byte{10, 0, 0, 1} {
		t.Errorf("v4 key %+v", ks[0])
	}
	mapped := netip.MustParseAddr("::ffff:10.0.0.1").As16()
	if ks[1].Family != afInet6 || ks[1].Addr != mapped || ks[1].Port != [2]byte{0, 53} {
		t.Errorf("v4-mapped key %+v", ks[1])
	}
	// A v4-mapped input is treated as the IPv4 address it maps.
	ks2, _ := allowKeys(53, netip.MustParseAddr("::ffff:10.0.0.1"))
	if len(ks2) != 2 || ks2[0] != ks[0] {
		t.Errorf("mapped input: %+v", ks2)
	}
	ks, _ = allowKeys(0, netip.MustParseAddr("fe80::1%eth0"))
	if len(ks) != 1 || ks[0].Family != afInet6 || ks[0].Addr != netip.MustParseAddr("fe80::1").As16() {
		t.Errorf("v6 zoned: %+v", ks)
	}
}

func TestOptionsDefaults(t *testing.T) {
	for _, bad := range []string{"a/b", "..", "."} {
		if _, err := (Options{Name: bad, CgroupRoot: "/x"}).withDefaults(); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	o, err := Options{CgroupRoot: "/x"}.withDefaults()
	if err != nil || o.dir() != DefaultPinRoot+"/default" {
		t.Errorf("defaults: %+v %v", o, err)
	}
}
