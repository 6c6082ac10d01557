// Warns before the server logs an idle user off, and offers to stay logged in.
const body = document.body;
const idleSeconds = Number(body.dataset.sessionIdleTimeout || 0);
const warningSeconds = Number(body.dataset.sessionIdleWarning || 0);
const warning = document.getElementById("session-timeout-warning");

if (idleSeconds > 0 && warning) {
  const form = warning.querySelector("form");
  const countdown = warning.querySelector("[data-countdown]");
  let lastActivity = Date.now();
  let timer;

  const schedule = () => {
    clearInterval(timer);
    timer = setInterval(() => {
      const idle = (Date.now() - lastActivity) / 1000;
      const left = Math.max(0, Math.round(idleSeconds - idle));
      if (left <= 0) {
        window.location.reload();
      } else if (left <= warningSeconds) {
        warning.hidden = false;
        countdown.textContent = left >= 60 ? `${Math.ceil(left / 60)} minutes` : `${left} seconds`;
      }
    }, 1000);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) {
      lastActivity = Date.now();
      warning.hidden = true;
    } else {
      window.location.reload();
    }
  });
  schedule();
}
