// Package sqlitefile reads SQLite files page by page, as someone holding a
// copy of them could, without SQLite: the database file, a rollback journal
// and a write-ahead log. Tests use it to play the attacker who has nothing
// but file copies, and to see where rows physically lie.
//
// It follows https://www.sqlite.org/fileformat2.html for what lvm-mail's
// files contain (UTF-8 text, table and index b-trees, overflow pages); it
// does not verify checksums, since an attacker would not either.
package sqlitefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
)

// An Image is the content of a database: its pages by number.
type Image struct {
	PageSize int
	Reserved int // bytes at the end of each page that hold no b-tree data
	Pages    map[uint32][]byte
}

// A Page is one page image found in a journal or a log.
type Page struct {
	Number uint32
	Data   []byte
}

// ParseDatabase reads a database file.
func ParseDatabase(b []byte) (*Image, error) {
	if len(b) < 100 || !bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
		return nil, errors.New("sqlitefile: not an SQLite database")
	}
	size := int(binary.BigEndian.Uint16(b[16:]))
	if size == 1 {
		size = 65536
	}
	img := &Image{PageSize: size, Reserved: int(b[20]), Pages: map[uint32][]byte{}}
	for i := 0; i+size <= len(b); i += size {
		img.Pages[uint32(i/size)+1] = b[i : i+size]
	}
	return img, nil
}

// With returns a copy of img with pages put in place of its own.
func (img *Image) With(pages []Page) *Image {
	out := &Image{PageSize: img.PageSize, Reserved: img.Reserved, Pages: maps.Clone(img.Pages)}
	for _, p := range pages {
		out.Pages[p.Number] = p.Data
	}
	return out
}

var journalMagic = []byte{0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7}

// ReadJournal returns the page images a rollback journal holds: the pages
// as they were before the transaction that wrote it. A journal whose header
// SQLite zeroed at commit (journal_mode=PERSIST) still holds its pages, and
// they are read all the same.
func ReadJournal(b []byte, pageSize int) ([]Page, error) {
	if len(b) < 28 {
		return nil, nil
	}
	n, sector := uint32(0), 512 // a zeroed header: read every record
	switch {
	case bytes.Equal(b[:8], journalMagic):
		n = binary.BigEndian.Uint32(b[8:])
		if s := int(binary.BigEndian.Uint32(b[20:])); s >= 28 && s <= len(b) {
			sector = s
		}
		if ps := int(binary.BigEndian.Uint32(b[24:])); ps != 0 {
			pageSize = ps
		}
	case bytes.Count(b[:28], []byte{0}) != 28:
		return nil, errors.New("sqlitefile: not a rollback journal")
	}
	var pages []Page
	for off := sector; off+4+pageSize+4 <= len(b); off += 4 + pageSize + 4 {
		if n != 0 && n != math.MaxUint32 && uint32(len(pages)) >= n {
			break
		}
		if num := binary.BigEndian.Uint32(b[off:]); num != 0 {
			pages = append(pages, Page{Number: num, Data: b[off+4 : off+4+pageSize]})
		}
	}
	return pages, nil
}

// ReadWAL returns the frames of a write-ahead log grouped by transaction, in
// the order they were written: every frame up to and including a commit
// frame belongs to that commit. Frames of older generations of the log
// (other salts) are included too: they are history all the same.
func ReadWAL(b []byte) (pageSize int, commits [][]Page, err error) {
	if len(b) < 32 {
		return 0, nil, nil
	}
	if m := binary.BigEndian.Uint32(b); m != 0x377f0682 && m != 0x377f0683 {
		return 0, nil, errors.New("sqlitefile: not a write-ahead log")
	}
	pageSize = int(binary.BigEndian.Uint32(b[8:]))
	var cur []Page
	for off := 32; off+24+pageSize <= len(b); off += 24 + pageSize {
		cur = append(cur, Page{Number: binary.BigEndian.Uint32(b[off:]), Data: b[off+24 : off+24+pageSize]})
		if binary.BigEndian.Uint32(b[off+4:]) != 0 { // the commit frame
			commits = append(commits, cur)
			cur = nil
		}
	}
	return pageSize, commits, nil
}

// A Table is an entry of the schema: a table or an index and its b-tree.
type Table struct {
	Type string // "table" or "index"
	Name string
	Root uint32
	SQL  string
}

// Schema returns the tables and indexes of the database by name.
func (img *Image) Schema() (map[string]Table, error) {
	rows, err := img.Rows(1)
	if err != nil {
		return nil, err
	}
	out := map[string]Table{}
	for _, r := range rows {
		if len(r.Values) < 5 {
			continue
		}
		typ, _ := r.Values[0].(string)
		name, _ := r.Values[1].(string)
		root, _ := r.Values[3].(int64)
		sql, _ := r.Values[4].(string)
		out[name] = Table{Type: typ, Name: name, Root: uint32(root), SQL: sql}
	}
	return out, nil
}

// A Row is one cell of a b-tree leaf: the record and where it lies.
type Row struct {
	RowID  int64 // for table b-trees; 0 in an index (or WITHOUT ROWID table)
	Values []any // int64, float64, string, []byte or nil
	Page   uint32
	Offset int // of the cell within its page
}

// FileOffset is where the cell starts in the database file.
func (r Row) FileOffset(pageSize int) int64 {
	return int64(r.Page-1)*int64(pageSize) + int64(r.Offset)
}

// Rows returns the records of the b-tree rooted at root, in key order.
func (img *Image) Rows(root uint32) ([]Row, error) {
	var out []Row
	err := img.walk(root, 0, &out)
	return out, err
}

func (img *Image) walk(pgno uint32, depth int, out *[]Row) error {
	if depth > 20 {
		return errors.New("sqlitefile: b-tree too deep (a loop?)")
	}
	p, ok := img.Pages[pgno]
	if !ok {
		return fmt.Errorf("sqlitefile: page %d missing", pgno)
	}
	h := 0
	if pgno == 1 {
		h = 100
	}
	typ := p[h]
	n := int(binary.BigEndian.Uint16(p[h+3:]))
	hdr := 8
	if typ == 2 || typ == 5 {
		hdr = 12
	}
	for i := 0; i < n; i++ {
		off := int(binary.BigEndian.Uint16(p[h+hdr+2*i:]))
		if off >= len(p) {
			return fmt.Errorf("sqlitefile: page %d: cell %d out of the page", pgno, i)
		}
		cell := p[off:]
		switch typ {
		case 13: // table leaf
			size, k := varint(cell)
			rowid, k2 := varint(cell[k:])
			payload, err := img.payload(cell[k+k2:], int(size), true)
			if err != nil {
				return err
			}
			*out = append(*out, Row{RowID: int64(rowid), Values: record(payload), Page: pgno, Offset: off})
		case 10: // index leaf
			size, k := varint(cell)
			payload, err := img.payload(cell[k:], int(size), false)
			if err != nil {
				return err
			}
			*out = append(*out, Row{Values: record(payload), Page: pgno, Offset: off})
		case 5: // table interior: child pointers only
			if err := img.walk(binary.BigEndian.Uint32(cell), depth+1, out); err != nil {
				return err
			}
		case 2: // index interior: a child, then a key that is a row too
			if err := img.walk(binary.BigEndian.Uint32(cell), depth+1, out); err != nil {
				return err
			}
			size, k := varint(cell[4:])
			payload, err := img.payload(cell[4+k:], int(size), false)
			if err != nil {
				return err
			}
			*out = append(*out, Row{Values: record(payload), Page: pgno, Offset: off})
		default:
			return fmt.Errorf("sqlitefile: page %d is not a b-tree page (type %d)", pgno, typ)
		}
	}
	if typ == 2 || typ == 5 {
		return img.walk(binary.BigEndian.Uint32(p[h+8:]), depth+1, out)
	}
	return nil
}

// payload returns a cell's whole payload, following its overflow pages.
func (img *Image) payload(local []byte, size int, table bool) ([]byte, error) {
	u := img.PageSize - img.Reserved
	x := u - 35
	if !table {
		x = (u-12)*64/255 - 23
	}
	if size <= x {
		return local[:size], nil
	}
	m := (u-12)*32/255 - 23
	k := m + (size-m)%(u-4)
	if k > x {
		k = m
	}
	out := append([]byte(nil), local[:k]...)
	next := binary.BigEndian.Uint32(local[k:])
	for len(out) < size && next != 0 {
		p, ok := img.Pages[next]
		if !ok {
			return nil, fmt.Errorf("sqlitefile: overflow page %d missing", next)
		}
		take := min(size-len(out), u-4)
		out = append(out, p[4:4+take]...)
		next = binary.BigEndian.Uint32(p)
	}
	return out, nil
}

// record decodes a record: a header of serial types, then the values.
func record(b []byte) []any {
	hsize, k := varint(b)
	var types []uint64
	for pos := k; pos < int(hsize) && pos < len(b); {
		t, n := varint(b[pos:])
		types = append(types, t)
		pos += n
	}
	body := b[min(int(hsize), len(b)):]
	vals := make([]any, 0, len(types))
	for _, t := range types {
		var v any
		var n int
		switch {
		case t == 0:
		case t >= 1 && t <= 6:
			n = []int{0, 1, 2, 3, 4, 6, 8}[t]
			if n > len(body) {
				return vals
			}
			var x int64
			for _, c := range body[:n] {
				x = x<<8 | int64(c)
			}
			shift := 64 - 8*n
			v = x << shift >> shift // sign-extend
		case t == 7:
			n = 8
			if n > len(body) {
				return vals
			}
			v = math.Float64frombits(binary.BigEndian.Uint64(body))
		case t == 8, t == 9:
			v = int64(t - 8)
		case t >= 12 && t%2 == 0:
			n = int(t-12) / 2
			if n > len(body) {
				return vals
			}
			v = append([]byte(nil), body[:n]...)
		case t >= 13:
			n = int(t-13) / 2
			if n > len(body) {
				return vals
			}
			v = string(body[:n])
		}
		vals = append(vals, v)
		body = body[n:]
	}
	return vals
}

// varint reads SQLite's big-endian variable-length integer.
func varint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return v, len(b)
}
