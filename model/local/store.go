package local

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// FormatVersion is the version of the model file format; it is part of
// the default cache file name (model-v<N>.bin). Bump it whenever the
// format, the tokenizer or the counting changes.
const FormatVersion = 1

const magic = "difgenTM"

// A model file is, after the 8-byte magic:
//
//	uvarint  version
//	uvarint  n, n bytes of JSON Info
//	uvarint  vocabulary size V, then V × (uvarint len, key bytes)
//	uvarint  classes U, then U × (uvarint id, uvarint types)
//	V × float64  unigram probabilities (little endian)
//	8 tables, each uvarint byte length, then float64 discount, uvarint
//	          contexts, uvarint entries, and per context: uvarint hash
//	          delta, uvarint count, uvarint entries, and per entry uvarint
//	          id delta, uvarint count
//	uint32   CRC-32 (IEEE) of everything before it
//
// Context gammas are recomputed on load.

// WriteTo writes m in the model file format.
func (m *NGram) WriteTo(w io.Writer) (int64, error) {
	h := crc32.NewIEEE()
	cw := &countWriter{w: io.MultiWriter(w, h)}
	bw := bufio.NewWriterSize(cw, 1<<16)
	var tmp [binary.MaxVarintLen64]byte
	uv := func(x uint64) { bw.Write(tmp[:binary.PutUvarint(tmp[:], x)]) }
	f64 := func(x float64) {
		binary.LittleEndian.PutUint64(tmp[:8], math.Float64bits(x))
		bw.Write(tmp[:8])
	}
	bw.WriteString(magic)
	uv(FormatVersion)
	info, err := json.Marshal(m.info)
	if err != nil {
		return 0, err
	}
	uv(uint64(len(info)))
	bw.Write(info)
	uv(uint64(len(m.keys)))
	for _, k := range m.keys {
		uv(uint64(len(k)))
		bw.WriteString(k)
	}
	uv(uint64(len(m.unkN)))
	for id := range m.keys { // in id order, for a deterministic file
		if n, ok := m.unkN[uint32(id)]; ok {
			uv(uint64(id))
			uv(uint64(n))
		}
	}
	for _, p := range m.uni {
		f64(p)
	}
	var tb []byte
	for i := range m.tab {
		tb = m.tab[i].append(tb[:0])
		uv(uint64(len(tb)))
		bw.Write(tb)
	}
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	binary.LittleEndian.PutUint32(tmp[:4], h.Sum32())
	_, err = w.Write(tmp[:4])
	return cw.n + 4, err
}

// append appends the encoding of tb to b.
func (tb *table) append(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(tb.d))
	b = binary.AppendUvarint(b, uint64(len(tb.ctx)))
	b = binary.AppendUvarint(b, uint64(len(tb.w)))
	prev := uint64(0)
	for j, h := range tb.ctx {
		b = binary.AppendUvarint(b, h-prev)
		prev = h
		b = binary.AppendUvarint(b, uint64(tb.n[j]))
		lo, hi := tb.off[j], tb.off[j+1]
		b = binary.AppendUvarint(b, uint64(hi-lo))
		pw := uint32(0)
		for e := lo; e < hi; e++ {
			b = binary.AppendUvarint(b, uint64(tb.w[e]-pw))
			pw = tb.w[e]
			b = binary.AppendUvarint(b, uint64(tb.c[e]))
		}
	}
	return b
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteFile writes m to path atomically (a temporary file in the same
// directory, renamed into place), creating the directory if needed.
func (m *NGram) WriteFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	if _, err := m.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// ErrVersion reports a model file of another format version; callers
// retrain.
var ErrVersion = errors.New("model file has another format version")

// ReadFile loads a model written by WriteFile.
func ReadFile(path string) (*NGram, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Decode decodes a model file's contents.
func Decode(data []byte) (*NGram, error) {
	if len(data) < len(magic)+5 || string(data[:len(magic)]) != magic {
		return nil, errors.New("not a difgen model file")
	}
	d := decoder{b: data[len(magic) : len(data)-4]}
	if v := d.uv(); v != FormatVersion {
		return nil, fmt.Errorf("%w: %d, want %d", ErrVersion, v, FormatVersion)
	}
	if crc32.ChecksumIEEE(data[:len(data)-4]) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, errors.New("model file is corrupt (checksum mismatch)")
	}
	m := &NGram{ids: map[string]uint32{}, unkN: map[uint32]float64{}}
	if err := json.Unmarshal(d.bytes(int(d.uv())), &m.info); err != nil && d.err == nil {
		d.err = err
	}
	nv := int(d.uv())
	if d.err != nil || nv > maxVocab+1 {
		return nil, d.fail()
	}
	m.keys = make([]string, nv)
	m.ids = make(map[string]uint32, nv)
	for i := range m.keys {
		m.keys[i] = string(d.bytes(int(d.uv())))
		if len(m.keys[i]) == 0 {
			return nil, d.fail()
		}
		m.ids[m.keys[i]] = uint32(i)
	}
	for n := d.uv(); n > 0 && d.err == nil; n-- {
		id := d.uv()
		m.unkN[uint32(id)] = float64(d.uv())
	}
	m.uni = make([]float64, nv)
	for i := range m.uni {
		m.uni[i] = math.Float64frombits(binary.LittleEndian.Uint64(d.bytes(8)))
	}
	// Tables are length-prefixed and decoded concurrently.
	var (
		wg   sync.WaitGroup
		errs [nTab]error
	)
	for i := range m.tab {
		n := d.uv()
		if d.err != nil || n > uint64(len(d.b)) {
			return nil, d.fail()
		}
		b := d.bytes(int(n))
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.tab[i].decode(b)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, d.fail()
	}
	m.info.Vocab = nv
	return m, nil
}

// decode decodes a table encoded by append.
func (tb *table) decode(b []byte) error {
	d := decoder{b: b}
	tb.d = math.Float64frombits(binary.LittleEndian.Uint64(d.bytes(8)))
	nc, ne := d.uv(), d.uv()
	if d.err != nil || nc > uint64(len(d.b)) || ne > uint64(len(d.b)) {
		return d.fail()
	}
	tb.ctx = make([]uint64, nc)
	tb.n = make([]uint32, nc)
	tb.gamma = make([]float32, nc)
	tb.off = make([]uint32, nc+1)
	tb.w = make([]uint32, ne)
	tb.c = make([]uint32, ne)
	h, e := uint64(0), uint64(0)
	for j := range tb.ctx {
		h += d.uv()
		tb.ctx[j] = h
		n := d.uv()
		tb.n[j] = uint32(n)
		k := d.uv()
		tb.off[j] = uint32(e)
		if e+k > ne || n == 0 {
			return d.fail()
		}
		w, kept := uint64(0), 0.0
		for x := e; x < e+k; x++ {
			w += d.uv()
			c := d.uv()
			tb.w[x], tb.c[x] = uint32(w), uint32(c)
			kept += float64(c) - tb.d
		}
		e += k
		tb.gamma[j] = float32(1 - kept/float64(n))
	}
	tb.off[nc] = uint32(e)
	if e != ne || d.err != nil || len(d.b) != 0 {
		return d.fail()
	}
	return nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() error {
	if d.err != nil {
		return fmt.Errorf("malformed model file: %w", d.err)
	}
	return errors.New("malformed model file")
}

func (d *decoder) uv() uint64 {
	b := d.b
	if len(b) > 0 && b[0] < 0x80 { // the common one-byte case
		d.b = b[1:]
		return uint64(b[0])
	}
	x, n := binary.Uvarint(b)
	if n <= 0 {
		if d.err == nil {
			d.err = io.ErrUnexpectedEOF
		}
		d.b = nil
		return 0
	}
	d.b = b[n:]
	return x
}

func (d *decoder) bytes(n int) []byte {
	if n < 0 || n > len(d.b) {
		if d.err == nil {
			d.err = io.ErrUnexpectedEOF
		}
		d.b = nil
		return make([]byte, 8) // callers check d.err
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}
