package db

import "slices"

// ItemPageOf is the page of a timeline that items make: items are read for
// p in the order of the answer (reversed for a backward page), one more
// than p.Limit to tell whether more follow. On the cursor's side,
// atOrBeyond says whether any matching item lies at pos or past it in the
// answer's order (before it when before is set, after it otherwise): the
// one statement that hasPreviousPage or hasNextPage needs beyond the page.
func ItemPageOf(items []ItemRef, p Page, atOrBeyond func(pos *Position, before bool) (bool, error)) (ItemPage, error) {
	more := len(items) > p.Limit
	if more {
		items = items[:p.Limit]
	}
	var page ItemPage
	var err error
	if p.Backward {
		slices.Reverse(items)
		page.HasPreviousPage = more
		if p.Before != nil {
			if page.HasNextPage, err = atOrBeyond(p.Before, false); err != nil {
				return ItemPage{}, err
			}
		}
	} else {
		page.HasNextPage = more
		if p.After != nil {
			if page.HasPreviousPage, err = atOrBeyond(p.After, true); err != nil {
				return ItemPage{}, err
			}
		}
	}
	page.Items = items
	return page, nil
}
