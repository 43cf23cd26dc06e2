// Loaded on pages with saved widget state, after require.js and before the
// widget bundle embed-amd.js (see nb_ipywidgets_js in _config.yml).
(function () {
  "use strict";

  // 1. Fonts from this site. The bundle defines its AMD modules by name,
  // and two of them, "@jupyter-widgets/html-manager" and
  // "@jupyter-widgets/html-manager/dist/libembed-amd", fetch their icon
  // fonts relative to the URL require.js gives those names: by default
  // next to the page, where no such folder exists. Mapping both (the
  // longer prefix wins) to _static/html-manager/, which holds the fonts,
  // keeps every request on this site, whatever the page's depth.
  var root = document.documentElement.getAttribute("data-content_root");
  var here = (root || "./") + "_static/html-manager";
  window.require.config({
    paths: {
      "@jupyter-widgets": here,
      "@jupyter-widgets/html-manager/dist": here
    }
  });

  // 2. Math in widget labels. The bundle typesets labels with MathJax 2's
  // MathJax.Hub.Queue, which MathJax 3 does not have (the call throws).
  // MathJax is deferred, so it exists once the document is parsed; the
  // widgets are drawn later, on the window's load event.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.startup && !mathjax.Hub) {
      mathjax.Hub = {
        Queue: function (job) {  // job is ["Typeset", MathJax.Hub, element]
          mathjax.startup.promise.then(function () {
            return mathjax.typesetPromise([job[2]]);
          });
        }
      };
    }
  });
})();
