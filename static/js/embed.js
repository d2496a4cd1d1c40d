// The portal framed by a merchant's website (its widget.js): once that page says hello, and only
// when its origin is one the merchant listed (on this script's tag), tell it this page's height
// whenever it changes, so that the frame fits. Nothing goes to any other origin.
(function () {
  "use strict";
  if (window.parent === window || !("ResizeObserver" in window)) return;
  var allowed = (document.currentScript.dataset.origins || "").split(" ");
  var origin = null;
  var sent = 0;

  function sendHeight() {
    // The document's own height, not the frame's: measuring the frame would only echo its size back.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (origin === null || height === sent) return;
    sent = height;
    window.parent.postMessage({ type: "loyalty-portal:height", height: height }, origin);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || allowed.indexOf(event.origin) < 0) return;
    if (!event.data || event.data.type !== "loyalty-portal:hello") return;
    origin = event.origin;
    sent = 0;
    sendHeight();
  });
  new ResizeObserver(sendHeight).observe(document.documentElement);
})();
