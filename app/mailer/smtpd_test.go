package mailer_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// smtpd is a real SMTP server (github.com/emersion/go-smtp) running in the test process. It
// offers STARTTLS with a certificate of its own CA and AUTH PLAIN (only over TLS), and records
// every message it accepts.
type smtpd struct {
	addr    string
	clients *tls.Config // trusts the server's certificate
	user    string
	pass    string

	// rejectData makes the next n DATA commands fail with a temporary 451.
	rejectData atomic.Int32
	listener   *droppingListener

	mu       sync.Mutex
	messages []received
	arrived  chan struct{}
}

// received is one accepted message.
type received struct {
	From string
	To   []string
	Msg  *mail.Message
	Body string
	TLS  bool
}

// startSMTP starts the server; implicit makes it speak TLS from the first byte (smtps), and
// dropFirst makes the listener hang up on that many connections before serving any.
func startSMTP(t *testing.T, implicit bool, dropFirst int) *smtpd {
	t.Helper()
	cert, pool := testCertificate(t)
	d := &smtpd{user: "assay", pass: "s3cret pass", clients: &tls.Config{RootCAs: pool}, arrived: make(chan struct{}, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{d: d, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d.addr = ln.Addr().String()
	d.listener = &droppingListener{Listener: ln, drop: int32(dropFirst)}
	var l net.Listener = d.listener
	if implicit {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return d
}

// wait returns the n-th message (1-based) once it has arrived.
func (d *smtpd) wait(t *testing.T, n int) received {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		d.mu.Lock()
		if len(d.messages) >= n {
			m := d.messages[n-1]
			d.mu.Unlock()
			return m
		}
		d.mu.Unlock()
		select {
		case <-d.arrived:
		case <-deadline:
			t.Fatalf("no message %d within 15s", n)
		}
	}
}

func (d *smtpd) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.messages)
}

type session struct {
	d    *smtpd
	conn *smtp.Conn
	auth bool
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.d.user || pass != s.d.pass {
			return errors.New("invalid user name or password")
		}
		s.auth = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.d.rejectData.Add(-1) >= 0 {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.d.mu.Lock()
	s.d.messages = append(s.d.messages, received{From: s.from, To: s.to, Msg: msg, Body: string(body), TLS: isTLS})
	s.d.mu.Unlock()
	s.d.arrived <- struct{}{}
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// droppingListener closes the first drop connections at once: a server that is down.
type droppingListener struct {
	net.Listener
	drop int32
}

func (l *droppingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if atomic.AddInt32(&l.drop, -1) >= 0 {
			c.Close()
			continue
		}
		return c, nil
	}
}

// testCertificate makes a self-signed certificate for 127.0.0.1 and a pool that trusts it.
func testCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "assay test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
