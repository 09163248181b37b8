package whippywaretest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/whippyware-go/whippyware/internal/jsonread"
)

// Python's and Django's readings of values, which DRF's fields build on.

// pyStr is Python's str() of a JSON string or number, what DRF's CharField and IntegerField
// read; false for any other JSON value.
func pyStr(raw json.RawMessage) (string, bool) {
	if s, ok := jsonString(raw); ok {
		return s, true
	}
	if n, ok := jsonInt(raw); ok && n != 0 {
		return string(raw), true // its text, as below
	}
	switch pyType(raw) {
	case "int":
		if s := string(bytes.TrimSpace(raw)); s != "-0" {
			return s, true
		}
		return "0", true // Python's int has no negative zero
	case "float":
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		if err != nil { // Python reads an overflowing literal as inf
			if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("-")) {
				return "-inf", true
			}
			return "inf", true
		}
		return pyFloat(x), true
	}
	return "", false
}

// jsonString reads a JSON string value. One without escapes, control characters or invalid
// UTF-8 (what clients send) is cut out of raw; any other goes through encoding/json, which
// decides what it means.
func jsonString(raw json.RawMessage) (string, bool) {
	if text, ok := jsonread.PlainString(raw); ok {
		return string(text), true
	}
	if _, isNumber := jsonInt(raw); isNumber {
		return "", false // what encoding/json says of a number, without its error
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return "", false
}

// jsonInt reads a JSON integer of at most 18 digits, what int64 always holds, without
// allocating; false for anything else, which the callers read the long way.
func jsonInt(raw json.RawMessage) (int64, bool) {
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if len(digits) < len(raw) {
		n = -n
	}
	return n, true
}

// pyFloat formats x as Python's repr does: shortest digits, ".0" on whole numbers, an
// exponent below 1e-4 and from 1e16.
func pyFloat(x float64) string {
	if a := math.Abs(x); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(x, 'e', -1, 64)
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func parseBool(raw json.RawMessage) (bool, bool) {
	switch string(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, true
	}
	if t := pyType(raw); t == "int" || t == "float" {
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		return x == 1, err == nil && (x == 0 || x == 1) // 1.0 == 1 in Python's set
	}
	s, _ := jsonString(raw)
	switch s {
	case "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1":
		return true, true
	case "f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0":
		return false, true
	}
	return false, false
}

// pyIsSpace reports whether Python's str.isspace() holds for r: Go's unicode.IsSpace
// and the four separators U+001C to U+001F, which Python counts as whitespace.
func pyIsSpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// pyStrip is Python's str.strip() without arguments.
func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// pyInt parses s as Python's int() does: surrounding whitespace (not U+001C to U+001F,
// which int() keeps though str.strip() drops them), a sign, underscores between digits,
// and the decimal digits of any script ("１" is 1). overflow reports a valid integer
// outside int64, with its sign in n.
func pyInt(s string) (n int64, ok, overflow bool) {
	s = asciiDigits(strings.TrimSpace(s))
	if strings.Contains(s, "_") {
		if strings.Contains(s, "__") || strings.HasSuffix(s, "_") || strings.HasPrefix(strings.TrimLeft(s, "+-"), "_") {
			return 0, false, false
		}
		s = strings.ReplaceAll(s, "_", "")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return n, true, true
	}
	return n, err == nil, false
}

// parseInt reads a JSON value as DRF's IntegerField does: int(str(value)) after dropping a
// ".0" tail, so 5, "5" and 5.0 are 5 and true, 5.5 and 1e3 are not integers.
func parseInt(raw json.RawMessage) (n int64, ok, overflow bool) {
	if n, ok := jsonInt(raw); ok {
		return n, true, false // the common case, read without copying
	}
	if t := pyType(raw); t == "bool" || t == "list" || t == "dict" {
		return 0, false, false
	}
	s, _ := pyStr(raw)
	if n, ok, overflow := pyInt(s); ok {
		return n, true, overflow // the common case
	}
	if len(s) > 1000 {
		return 0, false, false
	}
	return pyInt(trimDecimal(s))
}

// asciiDigits returns s with every decimal digit outside ASCII (Unicode category Nd)
// written as its ASCII digit; s itself when it has none.
func asciiDigits(s string) string {
	ascii := true
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= utf8.RuneSelf && unicode.IsDigit(r) {
			// Nd digits come in runs of ten that start at zero (some runs of
			// mathematical digits follow each other): the value is the offset in the run.
			run := 0
			for unicode.IsDigit(r - rune(run+1)) {
				run++
			}
			r = '0' + rune(run%10)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// trimDecimal drops what DRF's IntegerField.re_decimal (`\.0*\s*$`) matches.
func trimDecimal(s string) string {
	t := strings.TrimRightFunc(s, pyIsSpace)
	u := strings.TrimRight(t, "0")
	if strings.HasSuffix(u, ".") {
		return u[:len(u)-1]
	}
	return s
}

// pkValue reads a primary key as Django's AutoField does: int(value), so 2.7 is 2.
func pkValue(raw json.RawMessage) (int64, bool) {
	switch pyType(raw) {
	case "int", "str":
		s, _ := pyStr(raw)
		n, ok, overflow := pyInt(s)
		return n, ok && !overflow
	case "float":
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		return int64(x), err == nil && math.Abs(x) < math.MaxInt64
	}
	return 0, false
}

// slugValue is the text Django compares a code with: str() of a string, number or boolean.
func slugValue(raw json.RawMessage) (string, bool) {
	switch pyType(raw) {
	case "bool":
		b, _ := parseBool(raw)
		if b {
			return "True", true
		}
		return "False", true
	case "list", "dict":
		return pyRepr(raw), true // str() of a list or dict, which names no record
	}
	if _, lone := loneSurrogate(raw); lone {
		return "", false // the lookup cannot encode it: Django answers "Invalid value."
	}
	return pyStr(raw)
}

// parseDate matches Django's date_re (`(\d{4})-(\d{1,2})-(\d{1,2})$`, where $ also allows a
// final newline) and checks the date exists; it returns the date in ISO form.
func parseDate(s string) (string, bool) {
	s = asciiDigits(strings.TrimSuffix(s, "\n")) // \d matches any script's digits, int() reads them
	y, rest, ok1 := strings.Cut(s, "-")
	m, d, ok2 := strings.Cut(rest, "-")
	if !ok1 || !ok2 || len(y) != 4 || len(m) < 1 || len(m) > 2 || len(d) < 1 || len(d) > 2 ||
		!digits(y) || !digits(m) || !digits(d) {
		return "", false
	}
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m)
	dd, _ := strconv.Atoi(d)
	if yy < 1 || mm < 1 || mm > 12 || dd < 1 || dd > daysIn(yy, mm) {
		return "", false
	}
	return y + "-" + pad2(mm) + "-" + pad2(dd), true
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// pyStreamDecode is what a codecs.StreamReader for UTF-8 reads of b whole, as DRF's
// JSONParser reads a body: b itself when valid; b less a character cut off at its end,
// which a stream decoder keeps waiting for rather than refuses; or, for any other bad
// sequence, the message of Python's UnicodeDecodeError ("'utf-8' codec can't decode byte
// 0xff in position 9: invalid start byte").
func pyStreamDecode(b []byte) (text []byte, errMsg string) {
	if utf8.Valid(b) {
		return b, ""
	}
	msg := pyUTF8Error(b)
	n := len(b)
	switch {
	case strings.HasSuffix(msg, "unexpected end of data"):
		// The first bad sequence runs to the end: an unfinished character.
		for cut := n - 1; cut >= 0 && cut >= n-3; cut-- {
			if utf8.Valid(b[:cut]) && !utf8.FullRune(b[cut:]) {
				return b[:cut], ""
			}
		}
	case n >= 2 && b[n-2] == 0xed && b[n-1] >= 0xa0 && b[n-1] <= 0xbf && utf8.Valid(b[:n-2]):
		// CPython's stateful decoder waits on a surrogate's first two bytes too.
		return b[:n-2], ""
	}
	return nil, msg
}

// pyUTF8Error is the message of the UnicodeDecodeError Python's UTF-8 decoder raises
// for b, which is not valid UTF-8: the first bad sequence, as CPython's decoder
// delimits it ("'utf-8' codec can't decode byte 0xff in position 9: invalid start
// byte").
func pyUTF8Error(b []byte) string {
	continuation := func(c byte) bool { return c&0xc0 == 0x80 }
	for i := 0; i < len(b); {
		c := b[i]
		var need int // continuation bytes
		switch {
		case c < 0x80:
			i++
			continue
		case c < 0xc2 || c > 0xf4:
			return pyDecodeError(b, i, 1, "invalid start byte")
		case c < 0xe0:
			need = 1
		case c < 0xf0:
			need = 2
		default:
			need = 3
		}
		// The second byte's range is narrower after some start bytes: no overlong
		// forms, no surrogates, nothing above U+10FFFF.
		lo, hi := byte(0x80), byte(0xbf)
		switch c {
		case 0xe0:
			lo = 0xa0
		case 0xed:
			hi = 0x9f
		case 0xf0:
			lo = 0x90
		case 0xf4:
			hi = 0x8f
		}
		for k := 1; k <= need; k++ {
			if i+k >= len(b) {
				return pyDecodeError(b, i, len(b)-i, "unexpected end of data")
			}
			if d := b[i+k]; !continuation(d) || (k == 1 && (d < lo || d > hi)) {
				return pyDecodeError(b, i, k, "invalid continuation byte")
			}
		}
		i += need + 1
	}
	return ""
}

func pyDecodeError(b []byte, start, n int, reason string) string {
	if n == 1 {
		return fmt.Sprintf("'utf-8' codec can't decode byte 0x%02x in position %d: %s", b[start], start, reason)
	}
	return fmt.Sprintf("'utf-8' codec can't decode bytes in position %d-%d: %s", start, start+n-1, reason)
}

// pyParseQuery parses a query string or form body as Django's QueryDict does
// (limited_parse_qsl): pairs split on "&" only, a pair without "=" an empty value, "+"
// a space, and a "%" not followed by two hex digits kept as it is, where Go's
// url.ParseQuery drops the pair.
func pyParseQuery(s string) url.Values {
	values := url.Values{}
	for pair := range strings.SplitSeq(s, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		name, value = pyUnquotePlus(name), pyUnquotePlus(value)
		values[name] = append(values[name], value)
	}
	return values
}

// pyUnquotePlus is Python's urllib.parse.unquote_plus: "+" is a space, each "%XX" a byte,
// and anything else kept as it is.
func pyUnquotePlus(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// loneSurrogate returns the first UTF-16 surrogate a JSON string escapes without its pair
// ("\ud800"): Python's json keeps it in the string, where DRF's CharField refuses it
// (ProhibitSurrogateCharactersValidator); Go's decoder would turn it into U+FFFD.
func loneSurrogate(raw []byte) (rune, bool) {
	escaped := func(i int) (rune, bool) { // the \uXXXX at i, if there is one
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r, ok := escaped(i)
		if !ok {
			i++ // another escape: skip the character it escapes
			continue
		}
		switch {
		case r >= 0xd800 && r <= 0xdbff:
			if low, ok := escaped(i + 6); ok && low >= 0xdc00 && low <= 0xdfff {
				i += 11 // a pair, one character
				continue
			}
			return r, true
		case r >= 0xdc00 && r <= 0xdfff:
			return r, true
		}
		i += 5
	}
	return 0, false
}

// pyRepr is Python's repr() of the value json.loads makes of raw (valid JSON): what
// Django's str() of a list or a dict shows in a message. An object's repeated key keeps
// its first place and its last value, as a dict does.
func pyRepr(raw json.RawMessage) string {
	var b strings.Builder
	writePyRepr(&b, json.NewDecoder(bytes.NewReader(raw)))
	return b.String()
}

// writePyRepr writes the repr of the next value of dec.
func writePyRepr(b *strings.Builder, dec *json.Decoder) {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			b.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				writePyRepr(b, dec)
			}
			_, _ = dec.Token()
			b.WriteByte(']')
			return
		}
		var keys []string
		values := map[string]string{}
		for dec.More() {
			k, _ := dec.Token()
			key := k.(string)
			var v strings.Builder
			writePyRepr(&v, dec)
			if _, seen := values[key]; !seen {
				keys = append(keys, key)
			}
			values[key] = v.String()
		}
		_, _ = dec.Token()
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyStrRepr(k) + ": " + values[k])
		}
		b.WriteByte('}')
	case string:
		b.WriteString(pyStrRepr(t))
	case json.Number:
		if s, ok := pyStr(json.RawMessage(t)); ok {
			b.WriteString(s)
		}
	case bool:
		b.WriteString(map[bool]string{true: "True", false: "False"}[t])
	case nil:
		b.WriteString("None")
	}
}

// pyStrRepr is Python's repr() of a str: single quotes unless the text has one and no
// double quote, and escapes for the quote, backslashes and what is not printable.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	b := []byte{quote}
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case unicode.IsPrint(r): // Python's str.isprintable, ASCII space included
			b = utf8.AppendRune(b, r)
		case r < 0x100:
			b = fmt.Appendf(b, `\x%02x`, r)
		case r < 0x10000:
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = fmt.Appendf(b, `\U%08x`, r)
		}
	}
	return string(append(b, quote))
}

// pyQuote is Python's urllib.parse.quote: every byte of s's UTF-8 but letters, digits,
// "_.-~" and those in safe as %XX.
func pyQuote(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~", c) >= 0 ||
			(c < utf8.RuneSelf && strings.IndexByte(safe, c) >= 0) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}
