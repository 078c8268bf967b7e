package campaign_test

import (
	"slices"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// Short names for the visibility tables below.
const (
	vS = campaign.Shown
	vT = campaign.TooFew
	vP = campaign.Protecting
)

func TestSuppressGroups(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		min    int
		want   []campaign.Visibility
	}{
		{"AllLargeEnough", []int{10, 8, 5}, 5, []campaign.Visibility{vS, vS, vS}},
		{"OneTooFewHidesTheNextSmallest", []int{10, 8, 3, 12}, 5, []campaign.Visibility{vS, vP, vT, vS}},
		{"TwoTooFewCoverEachOther", []int{10, 3, 2}, 5, []campaign.Visibility{vS, vT, vT}},
		{"TwoTooFewStillTooFewTogether", []int{10, 8, 2, 1}, 5, []campaign.Visibility{vS, vP, vT, vT}},
		{"NoResponsesRevealsNothing", []int{10, 8, 0}, 5, []campaign.Visibility{vS, vS, vT}},
		{"TiesHideTheFirst", []int{6, 6, 2}, 5, []campaign.Visibility{vP, vS, vT}},
		{"EverythingTooFew", []int{2, 2}, 5, []campaign.Visibility{vT, vT}},
		{"OneGroupTooFew", []int{4}, 5, []campaign.Visibility{vT}},
		{"HigherThreshold", []int{12, 11, 10, 9}, 10, []campaign.Visibility{vS, vS, vP, vT}},
		{"ThresholdThree", []int{3, 2, 7}, 3, []campaign.Visibility{vP, vT, vS}},
		{"Empty", []int{}, 5, []campaign.Visibility{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := campaign.SuppressGroups(tt.counts, tt.min)
			if !slices.Equal(got, tt.want) {
				t.Errorf("SuppressGroups(%v, %d): got %v, want %v", tt.counts, tt.min, got, tt.want)
			}
			// Whatever is hidden must never be recoverable: the hidden groups
			// together have no responses or at least min.
			hidden := 0
			for i, v := range got {
				if v.Hidden() {
					hidden += tt.counts[i]
				}
			}
			if hidden != 0 && hidden < tt.min && slices.Contains(got, campaign.Shown) {
				t.Errorf("hidden groups hold %d responses together: total minus shown gives them away", hidden)
			}
		})
	}
}

func TestSuppressCells(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		groups []campaign.Visibility
		want   []campaign.Visibility
	}{
		{"GroupReasonKept", []int{9, 6, 3}, []campaign.Visibility{vS, vP, vT}, []campaign.Visibility{vS, vP, vT}},
		{"FewAnswersInAShownGroup", []int{20, 2, 9}, []campaign.Visibility{vS, vS, vS}, []campaign.Visibility{vS, vT, vP}},
		{"NoAnswers", []int{20, 0, 9}, []campaign.Visibility{vS, vS, vS}, []campaign.Visibility{vS, vT, vS}},
		{"HiddenGroupWithoutAnswersNeedsNoCover", []int{6, 0, 9}, []campaign.Visibility{vP, vT, vS}, []campaign.Visibility{vP, vT, vS}},
		{"SkippedAnswersNeedMoreCover", []int{9, 3, 1, 7}, []campaign.Visibility{vS, vP, vT, vS}, []campaign.Visibility{vS, vP, vT, vP}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := campaign.SuppressCells(tt.counts, 5, tt.groups)
			if !slices.Equal(got, tt.want) {
				t.Errorf("SuppressCells(%v, 5, %v): got %v, want %v", tt.counts, tt.groups, got, tt.want)
			}
		})
	}
}

func TestCommentsShown(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want bool
	}{{0, false}, {9, false}, {10, true}, {50, true}} {
		if got := campaign.CommentsShown(tt.n); got != tt.want {
			t.Errorf("CommentsShown(%d): got %v, want %v", tt.n, got, tt.want)
		}
		if got := campaign.CommentLabelled(tt.n); got != tt.want {
			t.Errorf("CommentLabelled(%d): got %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestPoolGroupSizes(t *testing.T) {
	sizes := []campaign.GroupSize{
		{Column: "department", Value: "Finance", Invited: 2, Delivered: 2},
		{Column: "department", Value: "Legal", Invited: 1, Delivered: 0},
		{Column: "department", Value: "Sales", Invited: 12, Delivered: 11},
		{Column: "department", Value: "Support", Invited: 6, Delivered: 6, Pooled: true}, // grew after answers were pooled
		{Column: "location", Value: "Leeds", Invited: 5, Delivered: 5},
		{Column: "location", Value: "York", Invited: 4, Delivered: 3},
	}
	got := campaign.PoolGroupSizes(sizes, 5)
	want := []campaign.GroupSize{
		{Column: "department", Value: "Sales", Invited: 12, Delivered: 11},
		{Column: "location", Value: "Leeds", Invited: 5, Delivered: 5},
		{Column: "department", Value: campaign.PooledGroup, Invited: 9, Delivered: 8, Pooled: true},
		{Column: "location", Value: campaign.PooledGroup, Invited: 4, Delivered: 3, Pooled: true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
