package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Whatever a -f file holds, reading it returns records or an error, and every record it
// returns names where it came from and holds only values of its fields' kinds.
func FuzzReadRecords(f *testing.F) {
	for _, s := range []string{
		"code,name\na,A\n", "code;name;provider\n300;S;erp_a\n", `[{"id": 1, "code": 300, "provider": 1}]`,
		`{"remote_id": null}`, "id\tname\n1\t'=x\n", "\"code\nname\"\n", "[", "code\n\"",
	} {
		f.Add([]byte(s))
	}
	fields := []field{
		{name: "code", flag: "code"}, {name: "name", flag: "name"},
		{name: "provider", flag: "provider", kind: providerCodeField},
		{name: "remote_id", flag: "remote-id", kind: integerField, nullable: true},
		{name: "rule", flag: "rule", kind: objectField}, activeField,
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, onUpdate := range []bool{false, true} {
			var recs []record
			var err error
			if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
				recs, err = readJSONRecords("f", b, fields, onUpdate)
			} else {
				recs, err = readCSVRecords("f", b, fields)
			}
			if err != nil {
				continue
			}
			for _, rec := range recs {
				if rec.where == "" || rec.id < 0 {
					t.Fatalf("record %+v", rec)
				}
				for name, v := range rec.values {
					fld, ok := fieldNamed(fields, name)
					if !ok {
						t.Fatalf("value for unknown field %q", name)
					}
					switch v.(type) {
					case nil:
						if !onUpdate || !fld.nullable {
							t.Fatalf("%s: null outside a nullable update", name)
						}
					case string, int64, bool, providerCode:
					default:
						if fld.kind != objectField && fld.kind != dateField {
							t.Fatalf("%s: %T", name, v)
						}
					}
				}
			}
		}
	})
}

// A -f CSV line of one field, as a file with another delimiter than its header's gives,
// names the delimiter the header set; a line of another length says both counts.
func TestFileLineOfOneFieldNamesTheDelimiter(t *testing.T) {
	c := newCLI(t)
	r := c.run("code,name\nx1;X\n", "providers", "create", "-f", "-")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Equal(t, "whippyware: standard input line 2 has 1 field: no \",\" in the line, which the header separates with \",\"; "+
		"is the line separated by another delimiter?\n", r.stderr)

	r = c.run("code;name\nx1;X;extra\n", "providers", "create", "-f", "-")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Equal(t, "whippyware: standard input line 2 has 3 fields, the header 2 (\";\" between them)\n", r.stderr)
	assert.Zero(t, c.fake.RequestCount("", ""))
}
