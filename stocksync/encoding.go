package stocksync

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// EncodingByName returns the encoding of an input as WithEncoding takes it, by its IANA
// name or alias, or its WHATWG label ("cp1254"): "windows-1254" (Turkish Windows
// exports), "iso-8859-9", "windows-1252", "koi8-r" and the other single-byte code pages,
// and "utf-16", which must start with a byte order mark (its "utf-16le" and "utf-16be"
// forms read one when there is one). "utf-8" returns nil: ReadCSV's default, which
// refuses a line that is not UTF-8.
func EncodingByName(name string) (encoding.Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "utf-8", "utf8", "":
		return nil, nil
	case "utf-16", "utf16":
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), nil
	case "utf-16le":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), nil
	case "utf-16be":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM), nil
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		// The WHATWG's labels add the names Python and Java give code pages (cp1254).
		enc, err = htmlindex.Get(name)
	}
	if err != nil || enc == nil {
		return nil, fmt.Errorf("stocksync: unknown or unsupported encoding %q (e.g. windows-1254, iso-8859-9, utf-16)", name)
	}
	return enc, nil
}
