package campaign_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func TestInstrumentValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *campaign.Instrument)
		want   string // a phrase of the error; "" for valid
	}{
		{"OK", func(*campaign.Instrument) {}, ""},
		{"UnknownPole", func(in *campaign.Instrument) { in.Items[0].Pole = "leader" }, `item "focus-l".pole: unknown pole "leader"`},
		{"UnknownDimension", func(in *campaign.Instrument) { in.Items[0].Dimension = "fokus" }, `unknown dimension "fokus"`},
		{"DuplicateItem", func(in *campaign.Instrument) { in.Items[1].ID = "focus-l" }, `duplicate item id "focus-l"`},
		{"DuplicateDimension", func(in *campaign.Instrument) { in.Dimensions[1].ID = "focus" }, `duplicate dimension id "focus"`},
		{"MissingPole", func(in *campaign.Instrument) { in.Items = in.Items[1:] }, `dimension "focus": has no leadership item`},
		{"EmptyText", func(in *campaign.Instrument) { in.Items[2].Text = "  " }, `item "trust-l".text: missing`},
		{"ReservedID", func(in *campaign.Instrument) { in.Items[2].ID = "comment" }, `"comment" is reserved`},
		{"BadID", func(in *campaign.Instrument) { in.Items[2].ID = "trust l" }, `may hold only letters`},
		{"NoTitle", func(in *campaign.Instrument) { in.Title = "" }, `title: missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := smallInstrument()
			tt.change(&in)
			err := in.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			var ie *campaign.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an *InputError containing %q", err, tt.want)
			}
		})
	}
}
