// Registers the portal's service worker (its address is on this script's tag): it keeps the card page
// so it can be shown at the till without a connection.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(document.currentScript.dataset.serviceWorker).catch(() => {});
}
