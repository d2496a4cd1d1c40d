// The Wi-Fi pages work without scripts; with them, two steps go on by themselves.
(function () {
  var me = document.currentScript;
  var connect = document.getElementById("connect");
  if (connect) connect.submit(); // the grant form the controller expects
  var landing = me && me.getAttribute("data-landing");
  if (landing) {
    setTimeout(function () { location.href = landing; }, 1000 * Number(me.getAttribute("data-delay") || 5));
  }
})();
