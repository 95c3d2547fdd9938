package registry

import (
	"fmt"
	"slices"
)

// Version is a protocol version by its number on the wire (SSLv2 has no
// version field; 0x0002 is its conventional number). String and
// ParseVersion are the one conversion between these numbers and the names
// observations, reports and policies use ("SSLv2", "SSLv3", "TLSv1.0" ...
// "TLSv1.3").
type Version uint16

// The protocol versions. They are untyped constants so that the wire
// codec's uint16 fields and Version values take them alike.
const (
	VersionSSL2  = 0x0002
	VersionSSL3  = 0x0300
	VersionTLS10 = 0x0301
	VersionTLS11 = 0x0302
	VersionTLS12 = 0x0303
	VersionTLS13 = 0x0304
)

// versionNames are the names of the versions, oldest first.
var versionNames = [...]struct {
	v    Version
	name string
}{
	{VersionSSL2, "SSLv2"},
	{VersionSSL3, "SSLv3"},
	{VersionTLS10, "TLSv1.0"},
	{VersionTLS11, "TLSv1.1"},
	{VersionTLS12, "TLSv1.2"},
	{VersionTLS13, "TLSv1.3"},
}

// String is the version's name, "SSLv2" ... "TLSv1.3", or "0x%04x" for a
// number that is no known version.
func (v Version) String() string {
	for _, n := range versionNames {
		if n.v == v {
			return n.name
		}
	}
	return fmt.Sprintf("0x%04x", uint16(v))
}

// ParseVersion returns the version a name given by String denotes.
func ParseVersion(name string) (Version, bool) {
	for _, n := range versionNames {
		if n.name == name {
			return n.v, true
		}
	}
	return 0, false
}

// Versions lists the known versions, oldest first.
func Versions() []Version {
	out := make([]Version, 0, len(versionNames))
	for _, n := range versionNames {
		out = append(out, n.v)
	}
	return slices.Clip(out)
}
