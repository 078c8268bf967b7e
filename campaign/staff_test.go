package campaign_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func sampleStaff() []campaign.StaffMember {
	var out []campaign.StaffMember
	add := func(email, name, dept, location string) {
		out = append(out, campaign.StaffMember{Email: email, Name: name, Department: dept,
			Attributes: map[string]string{"location": location}, Active: true})
	}
	add("ann@example.com", "Ann Archer", "Sales", "Leeds")
	add("bob@example.com", "Bob Baker", "Sales", "York")
	add("cat@example.com", "Cat Cole", "Sales", "Leeds")
	add("dan@example.com", "Dan Dale", "Support", "Leeds")
	add("eve@example.com", "Eve East", "Support", "York")
	add("fay@example.com", "Fay Fox", "Finance", "York")
	return out
}

func TestImportStaff(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)

	sum, err := s.ImportStaff(ctx, sampleStaff(), campaign.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (campaign.ImportSummary{Added: 6}); counts(sum) != counts(want) {
		t.Errorf("first import: got %+v, want %+v", sum, want)
	}

	sum, err = s.ImportStaff(ctx, sampleStaff(), campaign.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (campaign.ImportSummary{Unchanged: 6}); counts(sum) != counts(want) {
		t.Errorf("same roster again: got %+v, want %+v", sum, want)
	}

	next := sampleStaff()[:4]
	next[0].Department = "Marketing"
	next[1].Attributes["location"] = "Hull"
	next[2].Email = "  CAT@Example.com " // same person, written differently
	sum, err = s.ImportStaff(ctx, next, campaign.ImportOptions{DeactivateMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := (campaign.ImportSummary{Updated: 2, Unchanged: 2, Deactivated: 2}); counts(sum) != counts(want) {
		t.Errorf("changed roster: got %+v, want %+v", sum, want)
	}
	active, err := s.FindStaff(ctx, campaign.StaffFilter{ActiveOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 4 {
		t.Errorf("got %d active, want 4", len(active))
	}

	sum, err = s.ImportStaff(ctx, sampleStaff(), campaign.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (campaign.ImportSummary{Updated: 4, Unchanged: 2}); counts(sum) != counts(want) {
		t.Errorf("reactivating import: got %+v, want %+v", sum, want)
	}
}

func TestImportStaffAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	if _, err := s.ImportStaff(ctx, sampleStaff()[:2], campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	bad := sampleStaff()
	bad[2].Email = "not an address"
	bad[3].Email = "ANN@example.com"
	bad[4].Department = " "
	_, err := s.ImportStaff(ctx, bad, campaign.ImportOptions{DeactivateMissing: true})
	var ie *campaign.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an *InputError", err)
	}
	if len(ie.Problems) != 3 {
		t.Errorf("got %d problems, want 3:\n%v", len(ie.Problems), err)
	}
	for _, want := range []string{"not an address", "line 4: email: ann@example.com already on line 1", "department"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	staff, err := s.FindStaff(ctx, campaign.StaffFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) != 2 {
		t.Errorf("got %d staff after a refused import, want the 2 from before", len(staff))
	}
}

func TestFindStaffWhere(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	if _, err := s.ImportStaff(ctx, sampleStaff(), campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		where []string
		want  []string
	}{
		{"OneColumn", []string{"department=sales"}, []string{"ann", "bob", "cat"}},
		{"SameColumnIsAnyOf", []string{"department=Sales", "department=Finance"}, []string{"fay", "ann", "bob", "cat"}},
		{"ColumnsAreAllOf", []string{"department=Sales", "location=Leeds"}, []string{"ann", "cat"}},
		{"Attribute", []string{"Location = York"}, []string{"fay", "bob", "eve"}},
		{"NoMatch", []string{"department=Legal"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var where []campaign.Condition
			for _, w := range tt.where {
				c, err := campaign.ParseCondition(w)
				if err != nil {
					t.Fatal(err)
				}
				where = append(where, c)
			}
			staff, err := s.FindStaff(ctx, campaign.StaffFilter{Where: where})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range staff {
				got = append(got, strings.Split(m.Email, "@")[0])
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("ErrUnknownColumn", func(t *testing.T) {
		_, err := s.FindStaff(ctx, campaign.StaffFilter{Where: []campaign.Condition{{Column: "floor", Value: "2"}}})
		if !errors.Is(err, campaign.ErrUnknownColumn) || !strings.Contains(err.Error(), "location") {
			t.Errorf("got %v, want ErrUnknownColumn listing the known columns", err)
		}
	})
}

func TestValidateEmail(t *testing.T) {
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"ann@example.com", true},
		{"first.last+tag@sub.example.co.uk", true},
		{"ann@example", false},
		{"ann", false},
		{"Ann <ann@example.com>", false},
		{"ann@@example.com", false},
		{"ann@example.com.", false},
		{"", false},
	} {
		err := campaign.ValidateEmail(tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateEmail(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
	}
}

func TestStaffMemberControlCharacters(t *testing.T) {
	for _, tc := range []struct {
		name  string
		m     campaign.StaffMember
		field string
		code  string
	}{
		{"ESC in name", campaign.StaffMember{Email: "a@example.com", Name: "Eve\x1b[31mRED", Department: "Sales"}, "name", "U+001B"},
		{"CR in department", campaign.StaffMember{Email: "a@example.com", Name: "Eve", Department: "Sales\r"}, "department", "U+000D"},
		{"NUL in email", campaign.StaffMember{Email: "a\x00@example.com", Name: "Eve", Department: "Sales"}, "email", "U+0000"},
		{"DEL in name", campaign.StaffMember{Email: "a@example.com", Name: "E\x7fve", Department: "Sales"}, "name", "U+007F"},
		{"C1 in attribute", campaign.StaffMember{Email: "a@example.com", Name: "Eve", Department: "Sales",
			Attributes: map[string]string{"team": "No\u0085rth"}}, "team", "U+0085"},
		{"tab in attribute", campaign.StaffMember{Email: "a@example.com", Name: "Eve", Department: "Sales",
			Attributes: map[string]string{"team": "A\tB"}}, "team", "U+0009"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.m.Problems()
			found := false
			for _, p := range ps {
				if p.Field == tc.field && strings.Contains(p.Message, "control character "+tc.code) {
					found = true
				}
			}
			if !found {
				t.Errorf("got problems %v, want one for %s naming %s", ps, tc.field, tc.code)
			}
		})
	}
	ok := campaign.StaffMember{Email: "a@example.com", Name: "Zoë Ångström", Department: "R&D", Attributes: map[string]string{"site": "北京"}}
	if ps := ok.Problems(); len(ps) != 0 {
		t.Errorf("got problems %v for a clean person, want none", ps)
	}
}

// counts is what an ImportSummary counts, without the people it names.
func counts(s campaign.ImportSummary) [4]int {
	return [4]int{s.Added, s.Updated, s.Unchanged, s.Deactivated}
}

// TestImportStaffListsAHundredProblems: a roster with thousands of bad
// lines lists the first MaxProblems and counts the rest.
func TestImportStaffListsAHundredProblems(t *testing.T) {
	s := openStore(t)
	var bad []campaign.StaffMember
	for range 3000 {
		bad = append(bad, campaign.StaffMember{Email: "nobody", Name: "X", Department: "Sales"})
	}
	_, err := s.ImportStaff(context.Background(), bad, campaign.ImportOptions{})
	ie, ok := errors.AsType[*campaign.InputError](err)
	if !ok {
		t.Fatalf("got %v, want an *InputError", err)
	}
	if len(ie.Problems) != campaign.MaxProblems || ie.Omitted != 3000-campaign.MaxProblems {
		t.Errorf("got %d problems listed and %d omitted, want %d and %d", len(ie.Problems), ie.Omitted, campaign.MaxProblems, 3000-campaign.MaxProblems)
	}
	if msg := err.Error(); !strings.Contains(msg, "3000 problems:") || !strings.HasSuffix(msg, "… and 2900 more") {
		t.Errorf("got error ending %q, want the total and the number not listed", msg[max(0, len(msg)-80):])
	}
}
