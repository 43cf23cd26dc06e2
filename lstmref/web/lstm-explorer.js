/*
 * lstm-explorer.js: the book's weight explorers, live on the static site.
 *
 * Where a chapter displays an explorer, the built page holds an element
 *   <div class="lstm-explorer" data-config="{...}">
 * whose JSON comes from lstmref.explorer.cell_config or model_config.
 * This script turns each such element into controls and a plot, and
 * recomputes the LSTM in the page whenever a control moves: no kernel, no
 * network, no library. The arithmetic is lstmref.trace's, in float64:
 *
 *   z_g = x_t W_g + h_{t-1} U_g + b_g           for g in i, f, c, o
 *   i = sigma(z_i), f = sigma(z_f), c~ = phi(z_c), o = sigma(z_o)
 *   c_t = f * c_{t-1} + i * c~,   h_t = o * phi(c_t)
 *
 * so the page's numbers equal lstmref's to round-off (tests/test_browser.py
 * checks 1e-9). Inputs, presets and slider ranges come from the config,
 * that is from lstmref.explorer, never from a copy in this file.
 *
 * An explorer whose config has a "diagram" also holds the cell
 * diagram, an <svg class="lstm-diagram"> drawn by lstmref.diagram.cell_svg.
 * This script moves it under the plot with a step slider and rewrites its
 * numbers (text, data-value) and alt text from its own trace; it never
 * draws the picture itself.
 */
(function () {
  "use strict";

  var GATES = ["i", "f", "c", "o"];
  var GATE_NAMES = {i: "input gate i", f: "forget gate f",
                    c: "candidate c~", o: "output gate o"};
  var COLORS = {x: "#555555", i: "#1f77b4", f: "#ff7f0e",
                c_tilde: "#2ca02c", o: "#d62728", c: "#9467bd",
                h: "#8c564b", original: "#9a9a9a"};

  // The activations of lstmref/activations.py, written the same way.
  var ACTIVATIONS = {
    sigmoid: function (x) { return 1 / (1 + Math.exp(-x)); },
    tanh: Math.tanh,
    hard_sigmoid: function (x) { return Math.min(Math.max(x + 3, 0), 6) / 6; },
    hard_sigmoid_keras2: function (x) {
      return Math.min(Math.max(0.2 * x + 0.5, 0), 1);
    },
    linear: function (x) { return x; },
    relu: function (x) { return Math.max(x, 0); }
  };

  function activation(name, argument) {
    if (!Object.prototype.hasOwnProperty.call(ACTIVATIONS, name)) {
      throw new Error(argument + ": expected one of " +
                      Object.keys(ACTIVATIONS).join(", ") + ", got " + name);
    }
    return ACTIVATIONS[name];
  }

  /*
   * Every step of one LSTM run from zero states.
   * params: {kernel (F x 4u), recurrent_kernel (u x 4u), bias (4u),
   *          activation, recurrent_activation}, gate blocks i, f, c, o.
   * x: T x F. Returns {i, f, c_tilde, o, c, h}, each T x u (plain arrays).
   */
  function trace(params, x) {
    var W = params.kernel, U = params.recurrent_kernel, b = params.bias;
    var F = W.length, u = U.length, T = x.length;
    var sigma = activation(params.recurrent_activation,
                           "recurrent_activation");
    var phi = activation(params.activation, "activation");
    var h = new Float64Array(u), c = new Float64Array(u);
    var z = new Float64Array(4 * u);
    var out = {i: [], f: [], c_tilde: [], o: [], c: [], h: []};
    for (var t = 0; t < T; t++) {
      for (var k = 0; k < 4 * u; k++) {  // z = h_{t-1} U + x_t W + b
        var s = 0;
        for (var j = 0; j < u; j++) { s += h[j] * U[j][k]; }
        for (j = 0; j < F; j++) { s += x[t][j] * W[j][k]; }
        z[k] = s + (b ? b[k] : 0);
      }
      var row = {i: [], f: [], c_tilde: [], o: [], c: [], h: []};
      for (j = 0; j < u; j++) {
        var ig = sigma(z[j]), fg = sigma(z[u + j]);
        var ct = phi(z[2 * u + j]), og = sigma(z[3 * u + j]);
        c[j] = fg * c[j] + ig * ct;  // c_t = f * c_{t-1} + i * c~
        h[j] = og * phi(c[j]);       // h_t = o * phi(c_t)
        row.i.push(ig); row.f.push(fg); row.c_tilde.push(ct);
        row.o.push(og); row.c.push(c[j]); row.h.push(h[j]);
      }
      for (var name in row) { out[name].push(row[name]); }
    }
    return out;
  }

  // The one-input, one-unit cell of lstmref.explorer.cell_params.
  function cellParams(weights, activations) {
    var a = activations || {};
    function block(m) {
      return GATES.map(function (g) { return weights[m + "_" + g] || 0; });
    }
    return {kernel: [block("W")], recurrent_kernel: [block("U")],
            bias: block("b"), activation: a.activation || "tanh",
            recurrent_activation: a.recurrent_activation || "sigmoid"};
  }

  // lstmref.explorer.scaled_weight: one weight multiplied by scale.
  function scaledParams(params, gate, matrix, row, col, scale) {
    var u = params.recurrent_kernel.length;
    var index = GATES.indexOf(gate) * u + col;
    if (index < 0 || col < 0 || col >= u) {
      throw new Error("gate/col: expected a gate in i, f, c, o and a unit "
                      + "from 0 to " + (u - 1) + ", got " + gate + ", " + col);
    }
    var copy = {
      kernel: params.kernel.map(function (r) { return r.slice(); }),
      recurrent_kernel: params.recurrent_kernel.map(function (r) {
        return r.slice();
      }),
      bias: params.bias.slice(),
      activation: params.activation,
      recurrent_activation: params.recurrent_activation
    };
    if (matrix === "bias") {
      copy.bias[index] *= scale;
    } else if (matrix === "kernel" || matrix === "recurrent_kernel") {
      copy[matrix][row][index] *= scale;
    } else {
      throw new Error("matrix: expected kernel, recurrent_kernel or bias, "
                      + "got " + matrix);
    }
    return copy;
  }

  // A Dense head on the last hidden state: y = act(h_T D + d).
  function dense(h, D, d, name) {
    var act = activation(name || "linear", "dense_activation");
    return d.map(function (dk, k) {
      var s = 0;
      for (var j = 0; j < h.length; j++) { s += h[j] * D[j][k]; }
      return act(s + dk);
    });
  }

  function column(rows, j) {
    return rows.map(function (r) { return r[j]; });
  }

  // ---- drawing ---------------------------------------------------------

  function span(series, fixed) {
    if (fixed) { return fixed; }
    var lo = Infinity, hi = -Infinity;
    series.forEach(function (s) {
      s.values.forEach(function (v) {
        if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      });
    });
    if (!isFinite(lo)) { return [-1, 1]; }
    var pad = Math.max((hi - lo) * 0.08, 0.05);
    return [Math.min(lo - pad, -0.05), Math.max(hi + pad, 0.05)];
  }

  function drawPanel(ctx, box, panel) {
    var range = span(panel.series, panel.range);
    var n = panel.series[0].values.length;
    var sx = function (t) {
      return box.x + (n > 1 ? t / (n - 1) : 0.5) * box.w;
    };
    var sy = function (v) {
      var clipped = Math.min(Math.max(v, range[0]), range[1]);
      return box.y + box.h * (range[1] - clipped) / (range[1] - range[0]);
    };
    ctx.strokeStyle = "#cccccc";
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.strokeRect(box.x, box.y, box.w, box.h);
    if (range[0] < 0 && range[1] > 0) {
      ctx.beginPath();
      ctx.moveTo(box.x, sy(0));
      ctx.lineTo(box.x + box.w, sy(0));
      ctx.stroke();
    }
    if (panel.marker !== undefined && panel.marker !== null) {
      ctx.strokeStyle = "#888888";  // the diagram's step
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(sx(panel.marker), box.y);
      ctx.lineTo(sx(panel.marker), box.y + box.h);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.fillStyle = "#333333";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "right";
    ctx.fillText(range[1].toFixed(2), box.x - 4, box.y + 9);
    ctx.fillText(range[0].toFixed(2), box.x - 4, box.y + box.h);
    ctx.fillText(String(n - 1), box.x + box.w, box.y + box.h + 11);
    ctx.textAlign = "left";
    ctx.fillText("0", box.x, box.y + box.h + 11);
    var legendX = box.x + 4;
    ctx.textAlign = "left";
    panel.series.forEach(function (s) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = s.width || 1.5;
      ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      s.values.forEach(function (v, t) {
        if (t === 0) { ctx.moveTo(sx(t), sy(v)); }
        else { ctx.lineTo(sx(t), sy(v)); }
      });
      ctx.stroke();
      ctx.fillStyle = s.color;
      ctx.fillText(s.label, legendX, box.y - 4);
      legendX += ctx.measureText(s.label).width + 12;
    });
    ctx.setLineDash([]);
  }

  function drawBars(ctx, box, bars) {
    var values = bars.original.concat(bars.modified);
    var range = span([{values: values}]);
    var sy = function (v) {
      return box.y + box.h * (range[1] - v) / (range[1] - range[0]);
    };
    ctx.strokeStyle = "#cccccc";
    ctx.lineWidth = 1;
    ctx.strokeRect(box.x, box.y, box.w, box.h);
    ctx.beginPath();
    ctx.moveTo(box.x, sy(0));
    ctx.lineTo(box.x + box.w, sy(0));
    ctx.stroke();
    var n = bars.names.length, slot = box.w / n;
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    bars.names.forEach(function (name, k) {
      var x0 = box.x + k * slot + slot * 0.2, bw = slot * 0.28;
      [["original", COLORS.original, 0], ["modified", COLORS.h, 1]]
        .forEach(function (spec) {
          var v = bars[spec[0]][k];
          ctx.fillStyle = spec[1];
          var top = Math.min(sy(v), sy(0)), height = Math.abs(sy(v) - sy(0));
          ctx.fillRect(x0 + spec[2] * bw, top, bw - 2, Math.max(height, 1));
        });
      ctx.fillStyle = "#333333";
      ctx.fillText(name, box.x + (k + 0.5) * slot, box.y + box.h + 12);
    });
    ctx.textAlign = "left";
    ctx.fillStyle = COLORS.original;
    ctx.fillText("prediction before", box.x + 4, box.y - 4);
    ctx.fillStyle = COLORS.h;
    ctx.fillText("after", box.x + 110, box.y - 4);
  }

  // Draw stacked panels on a canvas sized to its container. The width is
  // read once and again only on resize: reading it at every update would
  // force the browser to lay out the page in the middle of a drag.
  function render(canvas, panels, bars) {
    var ratio = window.devicePixelRatio || 1;
    if (!canvas.fitWidth) {
      canvas.fitWidth = Math.max(Math.min(canvas.parentNode.clientWidth,
                                          760), 300);
    }
    var width = canvas.fitWidth;
    var rows = panels.length + (bars ? 1 : 0);
    var height = rows * 96 + 24;
    if (canvas.width !== Math.round(width * ratio) ||
        canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = width + "px";
      canvas.style.height = height + "px";
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    var left = 44, right = 10;
    panels.forEach(function (panel, k) {
      drawPanel(ctx, {x: left, y: 16 + k * 96, w: width - left - right,
                      h: 66}, panel);
    });
    if (bars) {
      drawBars(ctx, {x: left, y: 16 + panels.length * 96,
                     w: width - left - right, h: 60}, bars);
    }
    ctx.fillStyle = "#333333";
    ctx.textAlign = "right";
    ctx.fillText("step t", width - right, height - 4);
  }

  // ---- controls --------------------------------------------------------

  function element(tag, attributes, parent) {
    var el = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") { el.textContent = attributes[key]; }
      else { el.setAttribute(key, attributes[key]); }
    });
    if (parent) { parent.appendChild(el); }
    return el;
  }

  function select(parent, label, options, value, onChange) {
    var wrap = element("label", {"class": "lstm-explorer__choice"}, parent);
    element("span", {text: label + " "}, wrap);
    var sel = element("select", {"aria-label": label}, wrap);
    options.forEach(function (opt) {
      var o = element("option", {value: opt[0], text: opt[1]}, sel);
      if (String(opt[0]) === String(value)) { o.selected = true; }
    });
    sel.addEventListener("change", function () { onChange(sel.value); });
    return sel;
  }

  // A labelled range input showing its value with ``digits`` decimals
  // (2 unless given).
  function slider(parent, label, range, step, value, onInput, digits) {
    var d = digits === undefined ? 2 : digits;
    var wrap = element("label", {"class": "lstm-explorer__slider"}, parent);
    element("span", {"class": "lstm-explorer__name", text: label}, wrap);
    var input = element("input", {type: "range", min: range[0],
                                  max: range[1], step: step, value: value,
                                  "aria-label": label}, wrap);
    var shown = element("output", {text: Number(value).toFixed(d)}, wrap);
    input.addEventListener("input", function () {
      shown.textContent = Number(input.value).toFixed(d);
      onInput(Number(input.value));
    });
    return {input: input, set: function (v) {
      input.value = v;
      shown.textContent = Number(input.value).toFixed(d);
    }};
  }

  // ---- the cell diagram ------------------------------------------------

  // lstmref.diagram.label: 3 decimals (-0 as 0); x as a list of them.
  function label(value) {
    if (Array.isArray(value)) {
      if (value.length === 1) { return label(value[0]); }
      var shown = value.slice(0, 3).map(label).join(", ");
      return "[" + shown + (value.length > 3 ? ", ...]" : "]");
    }
    return (value + 0).toFixed(3);
  }

  // lstmref.diagram.step_values: one step of one unit, from zero states.
  function stepValues(tr, x, step, unit) {
    var j = unit || 0, first = step === 0;
    return {x: x[step].slice(), h_prev: first ? 0 : tr.h[step - 1][j],
            f: tr.f[step][j], i: tr.i[step][j],
            c_tilde: tr.c_tilde[step][j], o: tr.o[step][j],
            c_prev: first ? 0 : tr.c[step - 1][j], c: tr.c[step][j],
            h: tr.h[step][j]};
  }

  // Write the numbers into the diagram: each label's text and exact
  // data-value, and the alt text (lstmref.diagram.sentence's words).
  function showValues(svg, values) {
    var parts = [];
    var texts = svg.querySelectorAll("[data-name]");
    Array.prototype.forEach.call(texts, function (el) {
      var key = el.getAttribute("data-name"), v = values[key];
      el.textContent = label(v);
      el.setAttribute("data-value", Array.isArray(v) ? JSON.stringify(v) :
                      String(v));
      parts.push(el.getAttribute("data-symbol") + " = " + label(v));
    });
    var desc = svg.querySelector("desc");
    desc.textContent = desc.getAttribute("data-text") +
      (parts.length ? " Values shown: " + parts.join(", ") + "." : "");
    svg.setAttribute("aria-label", svg.querySelector("title").textContent +
                     ". " + desc.textContent);
  }

  // The diagram under a cell explorer, with its step slider.
  function mountDiagram(root, explorer, svg, steps) {
    var state = explorer.state;
    var box = element("div", {"class": "lstm-explorer__diagram"}, root);
    var control = slider(box, "step t", [0, steps - 1], 1, state.step,
                         function (v) {
                           state.step = v;
                           explorer.update();  // the plot marks the step
                         }, 0);
    box.appendChild(svg);
    explorer.diagram = svg;
    explorer.stepSlider = control;
    explorer.showStep = function () {  // the unit chosen, if any
      explorer.stepValues = stepValues(explorer.last, explorer.x,
                                       state.step, state.unit || 0);
      showValues(svg, explorer.stepValues);
    };
  }

  // ---- the cell explorer -----------------------------------------------

  function mountCell(root, config, svg) {
    var state = {weights: Object.assign({}, config.weights),
                 input: config.input,
                 step: config.diagram ? config.diagram.step : null};
    var explorer = {config: config, state: state, last: null,
                    lastUpdateMs: null, updates: 0};
    var controls = element("div", {"class": "lstm-explorer__controls"}, root);
    var sliders = {};
    var presetNames = Object.keys(config.presets || {});
    var inputSelect;
    if (presetNames.length) {
      select(controls, "Preset", [["", "(choose)"]].concat(
        presetNames.map(function (p) { return [p, p]; })), "",
        function (name) {
          if (!name) { return; }
          Object.assign(state.weights, config.presets[name]);
          Object.keys(sliders).forEach(function (w) {
            sliders[w].set(state.weights[w]);
          });
          state.input = config.preset_inputs[name];
          inputSelect.value = state.input;
          explorer.update();
        });
    }
    inputSelect = select(controls, "Input x", Object.keys(config.inputs).map(
      function (k) { return [k, k]; }), state.input, function (name) {
        state.input = name;
        explorer.update();
      });
    var groups = element("div", {"class": "lstm-explorer__groups"}, root);
    GATES.forEach(function (g) {
      var names = config.sliders.filter(function (w) {
        return w.slice(-1) === g;
      });
      if (!names.length) { return; }
      var set = element("fieldset", {}, groups);
      element("legend", {text: GATE_NAMES[g]}, set);
      names.forEach(function (w) {
        sliders[w] = slider(set, w, config.range, config.step,
                            state.weights[w], function (v) {
                              state.weights[w] = v;
                              explorer.update();
                            });
      });
    });
    var canvas = element("canvas", {
      role: "img", "class": "lstm-explorer__plot",
      "aria-label": "The input x, the gates i, f, c~ and o, and the " +
                    "states c and h at every step, for the weights set " +
                    "above"}, root);
    var readout = element("p", {"class": "lstm-explorer__readout",
                                "aria-live": "polite"}, root);
    if (config.diagram && svg) {
      mountDiagram(root, explorer, svg, config.inputs[state.input].length);
    }

    explorer.sliders = sliders;
    explorer.canvas = canvas;
    explorer.update = function () {
      var start = performance.now();
      var xs = config.inputs[state.input];
      var x = xs.map(function (v) { return [v]; });
      var tr = trace(cellParams(state.weights), x);
      explorer.last = tr;
      explorer.x = x;
      if (explorer.showStep) { explorer.showStep(); }
      var f = function (name) { return column(tr[name], 0); };
      var focus = config.focus;
      var gateSeries = [["i", "i"], ["f", "f"], ["c_tilde", "c~"],
                        ["o", "o"]].filter(function (s) {
        return !focus || s[0] === focus || (focus === "c" &&
                                            s[0] === "c_tilde");
      }).map(function (s) {
        return {values: f(s[0]), color: COLORS[s[0]], label: s[1],
                width: focus ? 2.5 : 1.5};
      });
      var mark = explorer.showStep ? state.step : null;
      render(canvas, [
        {series: [{values: xs, color: COLORS.x, label: "input x"}],
         marker: mark},
        {series: gateSeries, range: [-1.05, 1.05], marker: mark},
        {series: [{values: f("c"), color: COLORS.c, label: "c"},
                  {values: f("h"), color: COLORS.h, label: "h"}],
         marker: mark}
      ]);
      var T = xs.length;
      readout.textContent = "Last step: c = " + tr.c[T - 1][0].toFixed(4) +
        ", h = " + tr.h[T - 1][0].toFixed(4) + ".";
      explorer.updates += 1;
      explorer.lastUpdateMs = performance.now() - start;
    };
    return explorer;
  }

  // ---- the model explorer ----------------------------------------------

  function mountModel(root, config, svg) {
    var params = {kernel: config.kernel,
                  recurrent_kernel: config.recurrent_kernel,
                  bias: config.bias, activation: config.activation,
                  recurrent_activation: config.recurrent_activation};
    var u = config.recurrent_kernel.length;
    var state = {unit: config.unit, gate: "f", matrix: "kernel", row: 0,
                 scale: 1, step: config.diagram ? config.diagram.step : null};
    var explorer = {config: config, state: state, last: null,
                    lastUpdateMs: null, updates: 0, params: params};
    var original = trace(params, config.x);
    var head = config.dense_kernel ? function (tr) {
      return dense(tr.h[tr.h.length - 1], config.dense_kernel,
                   config.dense_bias, config.dense_activation);
    } : null;
    var controls = element("div", {"class": "lstm-explorer__controls"}, root);
    var units = [];
    for (var k = 0; k < u; k++) { units.push([k, "unit " + k]); }
    select(controls, "Unit", units, state.unit, function (v) {
      state.unit = Number(v);
      explorer.update();
    });
    select(controls, "Gate", GATES.map(function (g) {
      return [g, GATE_NAMES[g]];
    }), state.gate, function (v) { state.gate = v; explorer.update(); });
    var rowSelect;
    function rowOptions() {
      var names = state.matrix === "kernel" ? config.input_names :
        config.recurrent_kernel.map(function (_, j) { return "h" + j; });
      rowSelect.innerHTML = "";
      names.forEach(function (name, j) {
        element("option", {value: j, text: name}, rowSelect);
      });
      rowSelect.disabled = state.matrix === "bias";
      state.row = 0;
    }
    select(controls, "Weight", [["kernel", "W (from the input)"],
                                ["recurrent_kernel", "U (from h_{t-1})"],
                                ["bias", "b (bias)"]], state.matrix,
           function (v) {
             state.matrix = v;
             rowOptions();
             explorer.update();
           });
    rowSelect = select(controls, "from", [], 0, function (v) {
      state.row = Number(v);
      explorer.update();
    });
    rowOptions();
    var groups = element("div", {"class": "lstm-explorer__groups"}, root);
    var scale = slider(groups, "scale", [0, 2], 0.05, 1, function (v) {
      state.scale = v;
      explorer.update();
    });
    var canvas = element("canvas", {
      role: "img", "class": "lstm-explorer__plot",
      "aria-label": "The chosen unit's cell state c and hidden state h " +
                    "at every step, before (grey) and after (colour) the " +
                    "weight is scaled" + (head ? ", and the prediction" :
                                          "")}, root);
    var readout = element("p", {"class": "lstm-explorer__readout",
                                "aria-live": "polite"}, root);
    if (config.diagram && svg) {
      mountDiagram(root, explorer, svg, config.x.length);
    }
    explorer.sliders = {scale: scale};
    explorer.canvas = canvas;
    explorer.update = function () {
      var start = performance.now();
      var p = scaledParams(params, state.gate, state.matrix, state.row,
                           state.unit, state.scale);
      var tr = trace(p, config.x);
      explorer.last = tr;
      explorer.x = config.x;
      if (explorer.showStep) { explorer.showStep(); }
      var j = state.unit, mark = explorer.showStep ? state.step : null;
      var panels = [
        {series: [{values: column(original.c, j), color: COLORS.original,
                   label: "c before", dash: [4, 3]},
                  {values: column(tr.c, j), color: COLORS.c,
                   label: "c after"}], marker: mark},
        {series: [{values: column(original.h, j), color: COLORS.original,
                   label: "h before", dash: [4, 3]},
                  {values: column(tr.h, j), color: COLORS.h,
                   label: "h after"}], marker: mark}
      ];
      var text = "Weight " + state.matrix + " of gate " + state.gate +
        ", unit " + j + ", scaled by " + state.scale.toFixed(2) + ".";
      var bars = null;
      if (head) {
        var before = head(original), after = head(tr);
        explorer.prediction = after;
        bars = {names: config.output_names, original: before,
                modified: after};
        text += " Prediction: " + config.output_names.map(function (n, k) {
          return n + " " + before[k].toFixed(3) + " \u2192 " +
            after[k].toFixed(3);
        }).join(", ") + ".";
      }
      render(canvas, panels, bars);
      readout.textContent = text;
      explorer.updates += 1;
      explorer.lastUpdateMs = performance.now() - start;
    };
    return explorer;
  }

  function mount(root) {
    if (root.lstmExplorer) { return root.lstmExplorer; }
    var config = JSON.parse(root.getAttribute("data-config"));
    var svg = root.querySelector("svg.lstm-diagram");  // kept, moved
    root.innerHTML = "";
    root.classList.add("lstm-explorer--live");
    var explorer = config.kind === "model" ?
      mountModel(root, config, svg) : mountCell(root, config, svg);
    root.lstmExplorer = explorer;
    explorer.update();
    return explorer;
  }

  function mountAll() {
    var found = document.querySelectorAll(".lstm-explorer[data-config]");
    Array.prototype.forEach.call(found, mount);
  }

  window.LstmExplorer = {trace: trace, cellParams: cellParams,
                         scaledParams: scaledParams, dense: dense,
                         stepValues: stepValues, label: label,
                         mount: mount, mountAll: mountAll};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
  window.addEventListener("resize", function () {
    var found = document.querySelectorAll(".lstm-explorer--live");
    Array.prototype.forEach.call(found, function (root) {
      if (root.lstmExplorer) {
        root.lstmExplorer.canvas.fitWidth = null;
        root.lstmExplorer.update();
      }
    });
  });
}());
