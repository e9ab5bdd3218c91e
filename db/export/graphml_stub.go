package export

import (
	"context"
	"fmt"
	"io"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

func writeGraph(ctx context.Context, store *sqlite.Store, format Format, f db.TimelineFilter, w io.Writer) error {
	return fmt.Errorf("export: %s is not written yet", format)
}
