// The sign-in page: POST /api/v1/session with the token; the server answers with the session
// cookie (HttpOnly: this script never sees it) and the dashboard opens.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const token = document.getElementById('token').value.trim();
    try {
      const response = await fetch('/api/v1/session', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
        body: JSON.stringify({token}),
      });
      if (response.ok) {
        window.location.assign('/app/dashboard.html');
        return;
      }
      const body = await response.json().catch(() => null);
      error.textContent = response.status === 401
        ? 'This token is not valid (unknown, expired or revoked).'
        : (body && body.error ? body.error.message : 'Sign-in failed (' + response.status + ').');
    } catch (e) {
      error.textContent = 'The server cannot be reached: ' + e.message;
    }
    error.hidden = false;
  });
});
