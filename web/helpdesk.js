// The helpdesk page without a reload: /card answers the site's domains with
// the card's HTML; other domains, with --lookups, stream
// their progress as Server-Sent Events. Without JavaScript the form posts
// and the server renders the same card.
"use strict";
(function () {
  const form = document.getElementById("lookup");
  const input = document.getElementById("emailaddress");
  const result = document.getElementById("result");
  const progress = document.getElementById("progress");
  const lookups = document.body.dataset.lookups === "on";
  let source = null;

  function showProgress(line) {
    progress.hidden = false;
    progress.textContent += line + "\n";
    progress.scrollTop = progress.scrollHeight;
  }

  function lookup(address) {
    progress.textContent = "";
    showProgress("Looking up " + address + " ...");
    source = new EventSource("/lookup?emailaddress=" + encodeURIComponent(address));
    source.addEventListener("progress", (e) => showProgress(e.data));
    source.addEventListener("card", (e) => {
      source.close();
      progress.hidden = true;
      result.innerHTML = e.data;
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED || !progress.hidden) {
        source.close();
        showProgress("The lookup stopped (too many at once, or the service went away). Try again.");
      }
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (source) source.close();
    const address = input.value.trim();
    history.replaceState(null, "", "/?emailaddress=" + encodeURIComponent(address));
    const response = await fetch("/card?emailaddress=" + encodeURIComponent(address));
    if (response.status === 404 && lookups) {
      result.innerHTML = "";
      lookup(address);
      return;
    }
    result.innerHTML = await response.text();  // the server's card, or its message (escaped)
    progress.hidden = true;
  });
})();
