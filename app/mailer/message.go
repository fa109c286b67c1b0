package mailer

import (
	"fmt"
	"strings"

	"github.com/wneessen/go-mail"

	"github.com/assay-labs/assay/app/store"
)

// message is the e-mail for one notice: its text as the subject and the first line, and the
// link (the labeling session in the Review App) on its own line.
func (m *Mailer) message(p store.PendingEmail) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return nil, fmt.Errorf("sender %q: %w", m.from, err)
	}
	if err := msg.To(p.Email); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", p.Email, err)
	}
	msg.Subject("[Assay] " + strings.TrimSuffix(p.Message, "."))
	msg.SetMessageID()
	msg.SetDate()
	// RFC 3834: an automatic message, so out-of-office replies are not sent back.
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	var body strings.Builder
	body.WriteString(p.Message + "\n\n")
	if p.Link != "" {
		body.WriteString("Open it in Assay:\n" + p.Link + "\n\n")
	}
	body.WriteString("You receive this e-mail because you were assigned as a reviewer in Assay.\n")
	msg.SetBodyString(mail.TypeTextPlain, body.String())
	return msg, nil
}
