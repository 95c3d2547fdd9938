package monitor

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Webhook posts events as JSON to one URL.
type Webhook struct {
	URL string
	// Secret, when set, signs each body: the X-Tlsaudit-Signature header is
	// "sha256=" and the hex HMAC-SHA256 of the body under the secret.
	Secret string
	Client *http.Client // default: 10 s timeout
	// Tries per event (default 3), Backoff before the second (doubling).
	Tries   int
	Backoff time.Duration
	Logf    func(format string, args ...any)
}

// Send posts e, retrying on a network error or a 5xx/429 answer. It
// returns the last error.
func (w *Webhook) Send(ctx context.Context, e Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	tries, backoff := w.Tries, w.Backoff
	if tries <= 0 {
		tries = 3
	}
	if backoff <= 0 {
		backoff = time.Second
	}
	for i := 0; ; i++ {
		err = w.post(ctx, client, body)
		if err == nil || i+1 >= tries || !retryable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff << i):
		}
	}
	if err != nil && w.Logf != nil {
		w.Logf("webhook: %s for %s: %v", e.Kind, e.Target, err)
	}
	return err
}

// Notify is Send for Config.Notify (errors are logged).
func (w *Webhook) Notify(ctx context.Context, e Event) { _ = w.Send(ctx, e) }

type statusError int

func (s statusError) Error() string {
	return fmt.Sprintf("answered %d %s", int(s), http.StatusText(int(s)))
}

func retryable(err error) bool {
	if s, ok := err.(statusError); ok {
		return s >= 500 || s == http.StatusTooManyRequests
	}
	return true
}

func (w *Webhook) post(ctx context.Context, client *http.Client, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tlsaudit-monitor")
	if w.Secret != "" {
		mac := hmac.New(sha256.New, []byte(w.Secret))
		mac.Write(body)
		req.Header.Set("X-Tlsaudit-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return statusError(resp.StatusCode)
	}
	return nil
}
