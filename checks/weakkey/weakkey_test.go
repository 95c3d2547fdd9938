package weakkey

import (
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadReadsOpensslBlacklistFiles(t *testing.T) {
	dir := t.TempDir()
	n := big.NewInt(0xC0FFEE)
	line := Fingerprint(n)
	os.WriteFile(filepath.Join(dir, "blacklist.RSA-2048"), []byte("# test\n0123456789abcdef0123\n"+line+"\n"), 0o600)
	l, err := Load(dir)
	if err != nil || l.Len() != 2 {
		t.Fatalf("Load: %d %v", l.Len(), err)
	}
	if !l.Contains(n) || l.Contains(big.NewInt(7)) {
		t.Error("Contains does not match the loaded fingerprints")
	}
}

func TestMissingDirectoryIsAnEmptyList(t *testing.T) {
	l, err := Load(filepath.Join(t.TempDir(), "absent"))
	if err != nil || l.Len() != 0 {
		t.Fatalf("Load of a missing directory: %d %v", l.Len(), err)
	}
	var none *List
	if none.Contains(big.NewInt(1)) || none.Len() != 0 {
		t.Error("the nil list is not empty")
	}
}
