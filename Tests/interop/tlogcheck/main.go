// Command tlogcheck cross-checks Custody's signed checkpoints, leaf hashes and
// Merkle proofs against Go's independent implementation of the same formats:
// golang.org/x/mod/sumdb/note (C2SP signed notes) and golang.org/x/mod/sumdb/tlog
// (RFC 6962 / RFC 9162 Merkle trees, record and tree proofs).
//
// Everything Go is asked to trust is recomputed by Go from the entry bodies:
// leaf hashes, tree hashes and proofs. Custody's output is only compared
// against those values, never used as their source.
//
// It prints one line per failed check and finally exactly
// "tlogcheck: N passed, M failed", exiting non-zero if M > 0.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var passed, failed int

// check records one check; on failure it prints one line.
func check(ok bool, format string, args ...interface{}) bool {
	if ok {
		passed++
		return true
	}
	failed++
	fmt.Printf("FAIL: "+format+"\n", args...)
	return false
}

// fail records one failed check.
func fail(format string, args ...interface{}) { check(false, format, args...) }

func main() {
	keyFile := flag.String("key", "", "file holding the verifier key, one line name+hex8+base64")
	cpDir := flag.String("checkpoints", "", "directory of *.note files, each a signed checkpoint")
	entriesFile := flag.String("entries", "", "JSON lines from `custody entries --json`")
	inclusionFile := flag.String("inclusion", "", "JSON lines from `custody prove inclusion --json`")
	consistencyFile := flag.String("consistency", "", "JSON lines from `custody prove consistency --json`")
	flag.Parse()
	if *keyFile == "" || *cpDir == "" || *entriesFile == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: tlogcheck -key FILE -checkpoints DIR -entries FILE [-inclusion FILE] [-consistency FILE]")
		os.Exit(2)
	}

	log := checkEntries(*entriesFile)
	verifier := loadVerifier(*keyFile)
	if verifier != nil {
		checkCheckpoints(*cpDir, verifier, log)
	}
	if *inclusionFile != "" {
		checkInclusion(*inclusionFile, log)
	}
	if *consistencyFile != "" {
		checkConsistency(*consistencyFile, log)
	}

	fmt.Printf("tlogcheck: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

// goLog is the tree as Go computes it from the entry bodies alone.
type goLog struct {
	leaves []tlog.Hash // tlog.RecordHash(body) per entry
	stored []tlog.Hash // tlog stored hashes for all leaves
}

func (l *goLog) size() int64 { return int64(len(l.leaves)) }

func (l *goLog) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(l.stored)) {
				return nil, fmt.Errorf("stored hash %d out of range (have %d)", x, len(l.stored))
			}
			out[i] = l.stored[x]
		}
		return out, nil
	})
}

func (l *goLog) treeHash(n int64) (tlog.Hash, error) {
	if n < 0 || n > l.size() {
		return tlog.Hash{}, fmt.Errorf("tree size %d outside the %d entries read", n, l.size())
	}
	return tlog.TreeHash(n, l.reader())
}

// forEachLine calls fn for each non-empty line of a JSON-lines file.
func forEachLine(path string, fn func(lineNo int, line []byte)) {
	f, err := os.Open(path)
	if err != nil {
		fail("cannot open %s: %v", path, err)
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimRight(sc.Bytes(), "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		fn(n, append([]byte(nil), line...))
	}
	if err := sc.Err(); err != nil {
		fail("reading %s: %v", path, err)
	}
}

// parseHash parses a 32-byte hash written as 64 hex digits.
func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("%q is not 64 hex digits", s)
	}
	copy(h[:], b)
	return h, nil
}

func parseHashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, 0, len(list))
	for _, s := range list {
		h, err := parseHash(s)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func hexOf(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

// flipBit returns a copy of hs with bit (seed mod 256) of element (seed mod len) flipped.
func flipBit(hs []tlog.Hash, seed int64) []tlog.Hash {
	out := append([]tlog.Hash(nil), hs...)
	if len(out) == 0 {
		return out
	}
	if seed < 0 {
		seed = -seed
	}
	i := int(seed % int64(len(out)))
	bit := int((seed * 7) % 256)
	out[i][bit/8] ^= 1 << uint(bit%8)
	return out
}

func flipHash(h tlog.Hash, seed int64) tlog.Hash { return flipBit([]tlog.Hash{h}, seed)[0] }

// proofDiff describes how two proofs differ, or returns "" if they are equal.
func proofDiff(got, want []tlog.Hash) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d elements, Go has %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Sprintf("element %d is %s, Go has %s", i, hexOf(got[i]), hexOf(want[i]))
		}
	}
	return ""
}

// ---- entries ----

type entryLine struct {
	Index *int64          `json:"index"`
	Leaf  *string         `json:"leaf"`
	Body  json.RawMessage `json:"body"`
}

func checkEntries(path string) *goLog {
	log := &goLog{}
	forEachLine(path, func(lineNo int, line []byte) {
		var e entryLine
		if err := json.Unmarshal(line, &e); err != nil {
			fail("entries line %d: not JSON: %v", lineNo, err)
			return
		}
		if e.Index == nil || e.Leaf == nil || len(e.Body) == 0 {
			fail("entries line %d: missing index, leaf or body", lineNo)
			return
		}
		want := log.size()
		if !check(*e.Index == want, "entries line %d: index %d, expected %d (indexes must be dense from 0)", lineNo, *e.Index, want) {
			return // keeping the Go tree aligned with indexes matters more than continuing
		}
		check(len(e.Body) > 0 && e.Body[0] == '{', "entry %d: body is not a JSON object", want)
		// The leaf hash covers the exact body bytes: RawMessage keeps them as written.
		goLeaf := tlog.RecordHash(e.Body)
		claimed, err := parseHash(*e.Leaf)
		if err != nil {
			fail("entry %d: leaf: %v", want, err)
		} else {
			check(claimed == goLeaf, "entry %d: leaf %s but Go's RecordHash(body) = %s", want, hexOf(claimed), hexOf(goLeaf))
		}
		// Build Go's tree from Go's own leaf hash, not Custody's.
		hs, err := tlog.StoredHashesForRecordHash(want, goLeaf, log.reader())
		if err != nil {
			fail("entry %d: tlog.StoredHashesForRecordHash: %v", want, err)
			return
		}
		log.stored = append(log.stored, hs...)
		log.leaves = append(log.leaves, goLeaf)
	})
	check(log.size() > 0, "no entries read from %s", path)
	check(int64(len(log.stored)) == tlog.StoredHashCount(log.size()), "stored hash count %d != tlog.StoredHashCount(%d)", len(log.stored), log.size())
	return log
}

// ---- checkpoints ----

func loadVerifier(path string) note.Verifier {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("cannot read verifier key: %v", err)
		return nil
	}
	key := strings.TrimSpace(string(b))
	v, err := note.NewVerifier(key)
	if !check(err == nil, "note.NewVerifier(%q): %v", key, err) {
		return nil
	}
	return v
}

// impostor claims the real key's name and key hash but verifies with a different key.
type impostor struct {
	name string
	hash uint32
	with note.Verifier
}

func (v impostor) Name() string                { return v.name }
func (v impostor) KeyHash() uint32             { return v.hash }
func (v impostor) Verify(msg, sig []byte) bool { return v.with.Verify(msg, sig) }

var cpName = regexp.MustCompile(`^cp-([0-9]+)\.note$`)

// parseCheckpoint parses C2SP tlog-checkpoint text strictly.
func parseCheckpoint(text string) (origin string, size int64, root tlog.Hash, err error) {
	if !strings.HasSuffix(text, "\n") {
		return "", 0, root, errors.New("checkpoint text does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return "", 0, root, fmt.Errorf("checkpoint has %d lines, need at least 3", len(lines))
	}
	origin = lines[0]
	if origin == "" {
		return "", 0, root, errors.New("empty origin line")
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, root, fmt.Errorf("size line %q is not a canonical decimal", lines[1])
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != len(root) || base64.StdEncoding.EncodeToString(b) != lines[2] {
		return "", 0, root, fmt.Errorf("root line %q is not 32 bytes of standard base64", lines[2])
	}
	copy(root[:], b)
	for i, ext := range lines[3:] {
		if ext == "" {
			return "", 0, root, fmt.Errorf("extension line %d is empty", i+1)
		}
	}
	return origin, size, root, nil
}

func checkCheckpoints(dir string, v note.Verifier, log *goLog) {
	files, err := filepath.Glob(filepath.Join(dir, "*.note"))
	if err != nil {
		fail("glob %s: %v", dir, err)
		return
	}
	sort.Strings(files)
	check(len(files) > 0, "no *.note files in %s", dir)

	// A fresh key with the same name: its key hash differs, so the note must be unverified.
	_, otherVKey, err := note.GenerateKey(rand.Reader, v.Name())
	if err != nil {
		fail("note.GenerateKey: %v", err)
		return
	}
	other, err := note.NewVerifier(otherVKey)
	if err != nil {
		fail("note.NewVerifier(generated): %v", err)
		return
	}
	imp := impostor{name: v.Name(), hash: v.KeyHash(), with: other}

	for fi, file := range files {
		name := filepath.Base(file)
		msg, err := os.ReadFile(file)
		if err != nil {
			fail("%s: %v", name, err)
			continue
		}
		n, err := note.Open(msg, note.VerifierList(v))
		if !check(err == nil, "%s: note.Open with the verifier key: %v", name, err) {
			continue
		}
		check(len(n.Sigs) == 1 && n.Sigs[0].Name == v.Name() && n.Sigs[0].Hash == v.KeyHash(),
			"%s: expected exactly one verified signature by %s, got %d", name, v.Name(), len(n.Sigs))

		origin, size, root, err := parseCheckpoint(n.Text)
		if !check(err == nil, "%s: %v", name, err) {
			continue
		}
		check(origin == v.Name(), "%s: origin %q differs from the key name %q", name, origin, v.Name())
		// crosscheck.sh names each note cp-N.note after the tree size it signed at.
		if m := cpName.FindStringSubmatch(name); m != nil {
			check(m[1] == strconv.FormatInt(size, 10), "%s: signed at size %s but the checkpoint says %d", name, m[1], size)
		}
		goRoot, err := log.treeHash(size)
		if check(err == nil, "%s: tlog.TreeHash(%d): %v", name, size, err) {
			check(root == goRoot, "%s: size %d root %s but Go's TreeHash = %s", name, size, hexOf(root), hexOf(goRoot))
		}

		// Negative: a different, freshly generated key with the same name.
		_, err = note.Open(msg, note.VerifierList(other))
		var unverified *note.UnverifiedNoteError
		check(errors.As(err, &unverified), "%s: note.Open with a fresh key should fail as unverified, got %v", name, err)

		// Negative: a verifier claiming the same name and key hash but holding another key.
		_, err = note.Open(msg, note.VerifierList(imp))
		var invalid *note.InvalidSignatureError
		check(errors.As(err, &invalid), "%s: note.Open with an impostor key should fail as invalid, got %v", name, err)

		// Negative: the signed text with one bit of the root changed.
		tampered := bytes.Replace(msg, []byte("\n"+base64.StdEncoding.EncodeToString(root[:])+"\n"),
			[]byte("\n"+base64.StdEncoding.EncodeToString(func() []byte { h := flipHash(root, int64(fi)); return h[:] }())+"\n"), 1)
		if check(!bytes.Equal(tampered, msg), "%s: could not locate the root line to tamper with", name) {
			_, err = note.Open(tampered, note.VerifierList(v))
			check(errors.As(err, &invalid), "%s: note.Open of a tampered note should fail as invalid, got %v", name, err)
		}
	}
}

// ---- inclusion proofs ----

type inclusionLine struct {
	Index *int64   `json:"index"`
	Size  *int64   `json:"size"`
	Leaf  *string  `json:"leaf"`
	Root  *string  `json:"root"`
	Proof []string `json:"proof"`
}

func checkInclusion(path string, log *goLog) {
	count := 0
	forEachLine(path, func(lineNo int, line []byte) {
		count++
		var p inclusionLine
		if err := json.Unmarshal(line, &p); err != nil {
			fail("inclusion line %d: not JSON: %v", lineNo, err)
			return
		}
		if p.Index == nil || p.Size == nil || p.Leaf == nil || p.Root == nil || p.Proof == nil {
			fail("inclusion line %d: missing index, size, leaf, root or proof", lineNo)
			return
		}
		i, s := *p.Index, *p.Size
		tag := fmt.Sprintf("inclusion index %d size %d", i, s)
		if !check(0 <= i && i < s && s <= log.size(), "%s: out of range (have %d entries)", tag, log.size()) {
			return
		}
		goLeaf := log.leaves[i]
		goRoot, err := log.treeHash(s)
		if !check(err == nil, "%s: tlog.TreeHash: %v", tag, err) {
			return
		}
		leaf, err := parseHash(*p.Leaf)
		if check(err == nil, "%s: leaf: %v", tag, err) {
			check(leaf == goLeaf, "%s: leaf %s, Go has %s", tag, hexOf(leaf), hexOf(goLeaf))
		}
		root, err := parseHash(*p.Root)
		if check(err == nil, "%s: root: %v", tag, err) {
			check(root == goRoot, "%s: root %s, Go's TreeHash = %s", tag, hexOf(root), hexOf(goRoot))
		}
		proof, err := parseHashes(p.Proof)
		if !check(err == nil, "%s: proof: %v", tag, err) {
			return
		}
		err = tlog.CheckRecord(tlog.RecordProof(proof), s, goRoot, i, goLeaf)
		check(err == nil, "%s: tlog.CheckRecord rejects Custody's proof: %v", tag, err)
		goProof, err := tlog.ProveRecord(s, i, log.reader())
		if check(err == nil, "%s: tlog.ProveRecord: %v", tag, err) {
			d := proofDiff(proof, goProof)
			check(d == "", "%s: proof differs from tlog.ProveRecord: %s", tag, d)
		}
		// Negative: one bit flipped in the proof (or, for an empty proof, in the leaf).
		if len(proof) > 0 {
			err = tlog.CheckRecord(tlog.RecordProof(flipBit(proof, i+s)), s, goRoot, i, goLeaf)
		} else {
			err = tlog.CheckRecord(tlog.RecordProof(proof), s, goRoot, i, flipHash(goLeaf, i+s))
		}
		check(err != nil, "%s: tlog.CheckRecord accepted a proof with a flipped bit", tag)
	})
	check(count > 0, "no inclusion proofs read from %s", path)
}

// ---- consistency proofs ----

type consistencyLine struct {
	From    *int64   `json:"from"`
	To      *int64   `json:"to"`
	OldRoot *string  `json:"old_root"`
	NewRoot *string  `json:"new_root"`
	Proof   []string `json:"proof"`
}

func checkConsistency(path string, log *goLog) {
	count := 0
	forEachLine(path, func(lineNo int, line []byte) {
		count++
		var p consistencyLine
		if err := json.Unmarshal(line, &p); err != nil {
			fail("consistency line %d: not JSON: %v", lineNo, err)
			return
		}
		if p.From == nil || p.To == nil || p.OldRoot == nil || p.NewRoot == nil || p.Proof == nil {
			fail("consistency line %d: missing from, to, old_root, new_root or proof", lineNo)
			return
		}
		a, b := *p.From, *p.To
		tag := fmt.Sprintf("consistency from %d to %d", a, b)
		if !check(1 <= a && a <= b && b <= log.size(), "%s: out of range (have %d entries)", tag, log.size()) {
			return
		}
		goOld, err1 := log.treeHash(a)
		goNew, err2 := log.treeHash(b)
		if !check(err1 == nil && err2 == nil, "%s: tlog.TreeHash: %v %v", tag, err1, err2) {
			return
		}
		oldRoot, err := parseHash(*p.OldRoot)
		if check(err == nil, "%s: old_root: %v", tag, err) {
			check(oldRoot == goOld, "%s: old_root %s, Go's TreeHash = %s", tag, hexOf(oldRoot), hexOf(goOld))
		}
		newRoot, err := parseHash(*p.NewRoot)
		if check(err == nil, "%s: new_root: %v", tag, err) {
			check(newRoot == goNew, "%s: new_root %s, Go's TreeHash = %s", tag, hexOf(newRoot), hexOf(goNew))
		}
		proof, err := parseHashes(p.Proof)
		if !check(err == nil, "%s: proof: %v", tag, err) {
			return
		}
		err = tlog.CheckTree(tlog.TreeProof(proof), b, goNew, a, goOld)
		check(err == nil, "%s: tlog.CheckTree rejects Custody's proof: %v", tag, err)
		goProof, err := tlog.ProveTree(b, a, log.reader())
		if check(err == nil, "%s: tlog.ProveTree: %v", tag, err) {
			d := proofDiff(proof, goProof)
			check(d == "", "%s: proof differs from tlog.ProveTree: %s", tag, d)
		}
		// Negative: one bit flipped in the proof (or, for an empty proof, in the old root).
		if len(proof) > 0 {
			err = tlog.CheckTree(tlog.TreeProof(flipBit(proof, a+b)), b, goNew, a, goOld)
		} else {
			err = tlog.CheckTree(tlog.TreeProof(proof), b, goNew, a, flipHash(goOld, a+b))
		}
		check(err != nil, "%s: tlog.CheckTree accepted a proof with a flipped bit", tag)
	})
	check(count > 0, "no consistency proofs read from %s", path)
}
