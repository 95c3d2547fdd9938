// Package clientsim simulates real TLS clients: it stores the ClientHellos
// they actually sent (captured by ./capture, see README.md) and replays them
// against a server with fresh randoms, session IDs and key shares, to learn
// what each client would negotiate (SSL Labs' "Handshake Simulation").
//
// The package does no I/O of its own beyond reading profile files: the
// caller (scan's client_simulation probe) provides the connection.
package clientsim

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Hello is one captured ClientHello.
type Hello struct {
	// Msg is the ClientHello handshake message: type(1) + length(3) + body.
	Msg []byte
	// RecordVersion is the record-layer version the client used (0x0301 for
	// most clients); 0 when unknown.
	RecordVersion uint16
	// Raw is Msg decoded.
	Raw *wire.RawClientHello
}

// Meta describes a captured client (the <name>-<version>.json file).
type Meta struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Label     string `json:"label"`
	Reference bool   `json:"reference"`
	Captured  string `json:"captured"`
	Command   string `json:"command"`
	Config    string `json:"config"`
	// Origin: OriginCaptured (the hello a real client sent, the default)
	// or OriginSynthesised (built from published capabilities, see
	// legacy.go); Refs are the documents a synthesised hello follows.
	Origin string   `json:"origin,omitempty"`
	Refs   []string `json:"refs,omitempty"`
}

// Profile is a client to simulate.
type Profile struct {
	ID     string // file base name, "<name>-<version>"
	Source string // "builtin" or the directory it was loaded from
	Meta   Meta
	Hello  *Hello
}

// maxHelloFile caps a .hello file (a hex ClientHello is a few kB).
const maxHelloFile = 1 << 18

// maxFlight caps the bytes ReadHello accepts before the ClientHello is whole.
const maxFlight = 1 << 16

// FileBase is the file name (without extension) for a client version:
// lower case, with characters other than letters, digits, '.' and '_'
// replaced by '_'.
func FileBase(name, version string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_':
				return r
			case r >= 'A' && r <= 'Z':
				return r + 'a' - 'A'
			}
			return '_'
		}, s)
	}
	return clean(name) + "-" + clean(version)
}

// ReadHello reads a client's first flight from r (TLS records) until the
// ClientHello message is complete, and decodes it. It reads at most 64 kB;
// the caller sets deadlines.
func ReadHello(r io.Reader) (*Hello, error) {
	var msg []byte
	var recVersion uint16
	total := 0
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, fmt.Errorf("clientsim: reading a record header: %w", err)
		}
		if hdr[0]&0x80 != 0 {
			return nil, errors.New("clientsim: an SSLv2-format ClientHello (not supported)")
		}
		if hdr[0] != wire.RecordHandshake {
			return nil, fmt.Errorf("clientsim: record type %d before the ClientHello was complete", hdr[0])
		}
		if recVersion == 0 {
			recVersion = uint16(hdr[1])<<8 | uint16(hdr[2])
		}
		n := int(hdr[3])<<8 | int(hdr[4])
		total += 5 + n
		if n == 0 || n > wire.MaxPlaintext || total > maxFlight {
			return nil, fmt.Errorf("clientsim: handshake record of %d bytes (total %d)", n, total)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("clientsim: reading a record: %w", err)
		}
		msg = append(msg, buf...)
		if len(msg) >= 4 {
			want := 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
			if want > maxFlight {
				return nil, fmt.Errorf("clientsim: ClientHello of %d bytes", want)
			}
			if len(msg) >= want {
				return NewHello(msg[:want], recVersion)
			}
		}
	}
}

// NewHello decodes a ClientHello handshake message.
func NewHello(msg []byte, recordVersion uint16) (*Hello, error) {
	raw, err := wire.ParseClientHello(msg)
	if err != nil {
		return nil, err
	}
	return &Hello{Msg: bytes.Clone(msg), RecordVersion: recordVersion, Raw: raw}, nil
}

// FormatHello renders a .hello file: "# key: value" header lines, then the
// handshake message in hex, 64 digits a line.
func FormatHello(h *Hello, m Meta) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# tlsaudit ClientHello v1\n# client: %s\n", m.Label)
	if h.RecordVersion != 0 {
		fmt.Fprintf(&b, "# record_version: %04x\n", h.RecordVersion)
	}
	hx := hex.EncodeToString(h.Msg)
	for len(hx) > 64 {
		b.WriteString(hx[:64] + "\n")
		hx = hx[64:]
	}
	b.WriteString(hx + "\n")
	return b.Bytes()
}

// ParseHelloFile decodes a .hello file: either the text format of
// FormatHello (lines starting with '#' are comments; "# record_version:
// 0301" sets the record version; the rest is hex, whitespace ignored) or
// binary, either TLS records (first byte 0x16) or a bare handshake message
// (first byte 0x01).
func ParseHelloFile(b []byte) (*Hello, error) {
	if len(b) > maxHelloFile {
		return nil, fmt.Errorf("clientsim: hello file of %d bytes (max %d)", len(b), maxHelloFile)
	}
	switch {
	case len(b) > 0 && b[0] == wire.RecordHandshake:
		return ReadHello(bytes.NewReader(b))
	case len(b) > 0 && b[0] == wire.TypeClientHello:
		return NewHello(b, 0)
	}
	var hx strings.Builder
	var recVersion uint16
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxHelloFile)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "#"); ok {
			if k, v, ok := strings.Cut(rest, ":"); ok && strings.TrimSpace(k) == "record_version" {
				n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 16)
				if err != nil {
					return nil, fmt.Errorf("clientsim: bad record_version %q", strings.TrimSpace(v))
				}
				recVersion = uint16(n)
			}
			continue
		}
		hx.WriteString(strings.Join(strings.Fields(line), ""))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("clientsim: reading hello file: %w", err)
	}
	msg, err := hex.DecodeString(hx.String())
	if err != nil {
		return nil, fmt.Errorf("clientsim: hello file is neither hex nor binary: %w", err)
	}
	if len(msg) == 0 {
		return nil, errors.New("clientsim: empty hello file")
	}
	return NewHello(msg, recVersion)
}

//go:embed builtin
var builtinFS embed.FS

// Builtin returns the profiles captured by capture.sh (a copy of
// testdata/clients embedded in the binary), sorted by ID.
func Builtin() ([]Profile, error) {
	sub, err := fs.Sub(builtinFS, "builtin")
	if err != nil {
		return nil, err
	}
	return load(sub, "builtin")
}

// LoadDir reads the profiles of a directory: every <id>.hello file, with
// its optional <id>.json metadata (without it, the ID is the name).
func LoadDir(dir string) ([]Profile, error) {
	ps, err := load(os.DirFS(dir), dir)
	if err == nil && len(ps) == 0 {
		err = fmt.Errorf("clientsim: no .hello files in %s", dir)
	}
	return ps, err
}

func load(fsys fs.FS, source string) ([]Profile, error) {
	names, err := fs.Glob(fsys, "*.hello")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Profile
	for _, name := range names {
		id := strings.TrimSuffix(name, ".hello")
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		h, err := ParseHelloFile(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Join(filepath.ToSlash(source), name), err)
		}
		p := Profile{ID: id, Source: source, Hello: h, Meta: Meta{Name: id, Label: id}}
		if js, err := fs.ReadFile(fsys, id+".json"); err == nil {
			if err := json.Unmarshal(js, &p.Meta); err != nil {
				return nil, fmt.Errorf("%s.json: %w", path.Join(filepath.ToSlash(source), id), err)
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if p.Meta.Label == "" {
			p.Meta.Label = id
		}
		if p.Meta.Origin == "" {
			p.Meta.Origin = OriginCaptured
		}
		out = append(out, p)
	}
	return out, nil
}
