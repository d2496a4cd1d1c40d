// loyalty-portal widget: turns each <div data-loyalty-portal="https://site/p/shop/"> (holding a plain
// link, which is what people without scripts keep) into an iframe of that portal, sized to its
// content. The portal says its height by postMessage; only its own origin and its own frame are
// believed, and the "hello" that starts the talk goes to that origin only.
(function () {
  "use strict";
  var HELLO = "loyalty-portal:hello";
  var HEIGHT = "loyalty-portal:height";

  function embed(holder) {
    if (holder.getAttribute("data-loyalty-portal-ready")) return; // the script was included twice
    var link = holder.querySelector("a");
    var address;
    try {
      address = new URL(holder.getAttribute("data-loyalty-portal"), location.href);
    } catch (error) {
      return;
    }
    if (!/^https?:$/.test(address.protocol)) return;
    holder.setAttribute("data-loyalty-portal-ready", "1");
    var origin = address.origin;
    // Tells the portal it is framed on purpose, for browsers that do not say so themselves.
    address.searchParams.set("embed", "1");

    var frame = document.createElement("iframe");
    frame.src = address.href;
    frame.title = (link && link.textContent.trim()) || "Loyalty card";
    frame.setAttribute("loading", "lazy");
    frame.style.cssText = "display:block;width:100%;height:480px;border:0";

    // Each page of the portal loads anew and needs its own hello.
    frame.addEventListener("load", function () {
      if (frame.contentWindow) frame.contentWindow.postMessage({ type: HELLO }, origin);
    });
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      if (!data || data.type !== HEIGHT) return;
      var height = Math.ceil(Number(data.height));
      if (height > 0 && height < 100000) frame.style.height = height + "px";
    });

    if (link) holder.replaceChild(frame, link);
    else holder.appendChild(frame);
  }

  function start() {
    var holders = document.querySelectorAll("[data-loyalty-portal]");
    for (var i = 0; i < holders.length; i++) embed(holders[i]);
  }

  // An async script may run before the page below it is parsed.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
