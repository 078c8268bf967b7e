package campaign_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func TestMatchLanguage(t *testing.T) {
	available := []string{"en", "de", "fr-CA", "zh-Hant", "pt-BR"}
	tests := []struct {
		tag, want string
		ok        bool
	}{
		{"de", "de", true},
		{"DE", "de", true},
		{"de-CH", "de", true},
		{"de_CH", "de", true},
		{" de-Latn-CH ", "de", true},
		{"fr-CA", "fr-CA", true},
		{"fr", "fr-CA", true}, // the only French
		{"fr-BE", "fr-CA", true},
		{"zh-Hant-TW", "zh-Hant", true},
		{"pt", "pt-BR", true},
		{"es", "", false},
		{"xx", "", false},
		{"", "", false},
		{"e", "", false}, // a prefix of "en" is not "en"
	}
	for _, tt := range tests {
		got, ok := campaign.MatchLanguage(tt.tag, available)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MatchLanguage(%q): got %q, %v, want %q, %v", tt.tag, got, ok, tt.want, tt.ok)
		}
	}
}

// germanOf returns a complete German translation of smallInstrument.
func germanOf() campaign.Translation {
	return campaign.Translation{
		Language: "de",
		Title:    "Testumfrage",
		Dimensions: []campaign.Dimension{
			{ID: "focus", Name: "Menschen oder Systeme"},
			{ID: "trust", Name: "Vertrauen oder Kontrolle"},
		},
		Items: []campaign.ItemText{
			{ID: "focus-l", Text: "Menschen zuerst."},
			{ID: "focus-m", Text: "Systeme zuerst."},
			{ID: "trust-l", Text: "Man vertraut mir."},
			{ID: "trust-m", Text: "Ich werde kontrolliert."},
		},
	}
}

func TestInstrumentLanguages(t *testing.T) {
	in := smallInstrument()
	if got := in.Languages(); len(got) != 1 || got[0] != "en" {
		t.Errorf("an instrument that names no language: got %v, want [en]", got)
	}
	in.Translations = []campaign.Translation{germanOf()}
	in.DefaultLanguage = "de"
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[string]string{"de-AT": "de", "en-GB": "en", "pt-BR": "de", "": "de"} {
		if got, _ := in.MatchLanguage(tag); got != want {
			t.Errorf("MatchLanguage(%q): got %q, want %q (the default language is de)", tag, got, want)
		}
	}

	de := in.Translated("de")
	if de.Language != "de" || de.Title != "Testumfrage" || de.Translations != nil {
		t.Errorf("Translated(de): got language %q title %q, %d translations", de.Language, de.Title, len(de.Translations))
	}
	for i, it := range de.Items {
		if want := germanOf().Items[i].Text; it.Text != want || it.ID != in.Items[i].ID || it.Pole != in.Items[i].Pole || it.Dimension != in.Items[i].Dimension {
			t.Errorf("Translated(de) item %d: got %+v, want the same id, dimension and pole with text %q", i, it, want)
		}
	}
	if de.Dimensions[1].Name != "Vertrauen oder Kontrolle" {
		t.Errorf("Translated(de): dimension names %+v", de.Dimensions)
	}
	if in.Items[0].Text != "People first." || in.Dimensions[0].Name != "People or systems" {
		t.Error("Translated changed the instrument it was called on")
	}
	if en := in.Translated("en"); en.Title != in.Title || en.Items[0].Text != "People first." {
		t.Errorf("Translated(en): got %q, want the instrument's own texts", en.Title)
	}
}

func TestCheckTranslation(t *testing.T) {
	tests := []struct {
		name   string
		change func(tr *campaign.Translation)
		want   []string // phrases of the error; none for valid
	}{
		{"OK", func(*campaign.Translation) {}, nil},
		{"MissingItem", func(tr *campaign.Translation) { tr.Items = tr.Items[:3] },
			[]string{`item "trust-m": missing: the translation has no [[item]] with id = "trust-m"`}},
		{"ExtraItem", func(tr *campaign.Translation) {
			tr.Items = append(tr.Items, campaign.ItemText{ID: "trust-x", Text: "Extra."})
		}, []string{`item "trust-x": extra: the instrument has no item "trust-x"`}},
		{"ItemTwice", func(tr *campaign.Translation) { tr.Items[1].ID = "focus-l" },
			[]string{`item "focus-l": translated twice`, `item "focus-m": missing`}},
		{"EmptyText", func(tr *campaign.Translation) { tr.Items[2].Text = " " }, []string{`item "trust-l".text: missing`}},
		{"EmptyName", func(tr *campaign.Translation) { tr.Dimensions[0].Name = "" }, []string{`dimension "focus".name: missing`}},
		{"MissingDimension", func(tr *campaign.Translation) { tr.Dimensions = tr.Dimensions[1:] }, []string{`dimension "focus": missing`}},
		{"NoTitle", func(tr *campaign.Translation) { tr.Title = "" }, []string{`title: missing`}},
		{"CommentNotAsked", func(tr *campaign.Translation) { tr.Comment = "Sonst noch etwas?" },
			[]string{`comment: the instrument has no comment to translate`}},
		{"BadTag", func(tr *campaign.Translation) { tr.Language = "de DE" }, []string{`language: "de DE" is not a BCP 47 language tag`}},
		{"OwnLanguage", func(tr *campaign.Translation) { tr.Language = "EN" }, []string{`"EN" is the instrument's own language`}},
		{"NoLanguage", func(tr *campaign.Translation) { tr.Language = "" }, []string{`language: missing`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := smallInstrument()
			tr := germanOf()
			tt.change(&tr)
			err := in.CheckTranslation(&tr)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			var ie *campaign.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *InputError", err)
			}
			if len(ie.Problems) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(ie.Problems), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestValidateLanguages(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *campaign.Instrument)
		want   string
	}{
		{"TranslatedTwice", func(in *campaign.Instrument) {
			in.Translations = append(in.Translations, germanOf())
		}, `translation de: a second translation into "de"`},
		{"BrokenTranslation", func(in *campaign.Instrument) { in.Translations[0].Items = nil }, `translation de item "focus-l": missing`},
		{"UnknownDefault", func(in *campaign.Instrument) { in.DefaultLanguage = "fr" },
			`default language: "fr" is not a language of this instrument (it has en, de)`},
		{"BadOwnTag", func(in *campaign.Instrument) { in.Language = "english!" }, `language: "english!" is not a BCP 47 language tag`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := smallInstrument()
			in.Translations = []campaign.Translation{germanOf()}
			tt.change(&in)
			err := in.Validate()
			var ie *campaign.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an *InputError containing %q", err, tt.want)
			}
		})
	}
}

// TestSnapshotKeepsEveryLanguage: a campaign's snapshot keeps its
// translations and default language, and a snapshot stored before
// translations existed still loads, as English.
func TestSnapshotKeepsEveryLanguage(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	staff := sampleStaff()
	staff[0].Attributes[campaign.ColumnLanguage] = "de-CH"
	if _, err := s.ImportStaff(ctx, staff, campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	in := smallInstrument()
	in.Translations = []campaign.Translation{germanOf()}
	in.DefaultLanguage = "en"
	c, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: "Zweisprachig", Instrument: in, MinGroupSize: 3}, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.FindCampaignByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Instrument.Languages(); strings.Join(got, " ") != "en de" || again.Instrument.DefaultLanguage != "en" {
		t.Errorf("snapshot languages %v, default %q, want [en de] and en", got, again.Instrument.DefaultLanguage)
	}
	if got := again.Instrument.Translated("de").Items[3].Text; got != "Ich werde kontrolliert." {
		t.Errorf("the German snapshot says %q", got)
	}

	ann, err := s.FindRecipientByEmail(ctx, c.ID, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := s.FindRecipientByEmail(ctx, c.ID, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ann.Language != "de-CH" || bob.Language != "" {
		t.Errorf("recipients' languages: got %q and %q, want the roster's de-CH and none", ann.Language, bob.Language)
	}
	if lang, ok := again.Instrument.MatchLanguage(ann.Language); lang != "de" || !ok {
		t.Errorf("Ann (de-CH) answers in %q (%v), want de", lang, ok)
	}

	old := `{"title":"Old","intro":"","dimensions":[{"id":"focus","name":"People or systems"}],` +
		`"items":[{"id":"focus-l","dimension":"focus","pole":"leadership","text":"People first."}]}`
	var before campaign.Instrument
	if err := json.Unmarshal([]byte(old), &before); err != nil {
		t.Fatal(err)
	}
	if got := before.Languages(); len(got) != 1 || got[0] != "en" || before.FallbackLanguage() != "en" {
		t.Errorf("an old snapshot: languages %v, fallback %q, want English only", got, before.FallbackLanguage())
	}
	b, err := json.Marshal(before)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "translations") || strings.Contains(string(b), "language") {
		t.Errorf("an old snapshot written again gains keys: %s", b)
	}
}
