package cli

import (
	"context"
	"errors"
	"io"
)

func runImport(ctx context.Context, args []string, out, errOut io.Writer) error {
	return errors.New("import: not built yet")
}

func runExport(ctx context.Context, args []string, out, errOut io.Writer) error {
	return errors.New("export: not built yet")
}
