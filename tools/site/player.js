/* Baked players of the static site: the panel's controls over frames rendered at build time.
 *
 * Each <section class="player"> holds its manifest (a JSON script): per context (a setting of
 * the dropdowns) the baked values of every control, a base picture and per state a delta
 * frame (the pixels that differ from the base, transparent elsewhere), the panel's summary()
 * and a one-sentence text alternative. States are stored in product order, the last control
 * varying fastest. No dependencies, nothing from the network.
 *
 * window.sitePlayers exposes the players and the measured latencies (tests/site reads them): per
 * move, `ms` from the input event to the frame after the painted one (what the reader waits, machine
 * load included) and `work`, the page's own main-thread time for the move: the handler (state,
 * controls, readout, swap) plus the style, layout and paint of the frame that shows it.
 */
(function () {
  "use strict";

  var site = { players: [], latencies: [], firstFrame: null };
  window.sitePlayers = site;
  var MAX_CACHED = 600;
  var cache = new Map(); // url -> {img, ready, promise}

  /* The input event's time and the moment its handler started (for site.latencies). */
  function stamp(event) {
    quietUntil = performance.now() + 100;
    return { input: event.timeStamp, start: performance.now(), end: null };
  }

  /* DOM writes only when the value changes: a move touches no more of the page than it must. */
  function setText(element, text) {
    if (element._text !== text) { element.textContent = text; element._text = text; }
  }
  function setProp(element, name, value) {
    if (element["_" + name] !== value) { element[name] = value; element["_" + name] = value; }
  }

  function load(url) {
    var entry = cache.get(url);
    if (entry) {
      cache.delete(url); // most recently used last
      cache.set(url, entry);
      return entry;
    }
    var img = new Image();
    img.decoding = "async";
    entry = { img: img, ready: false, promise: null };
    img.src = url;
    entry.promise = img.decode().then(function () { entry.ready = true; }, function () { entry.ready = true; });
    cache.set(url, entry);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value);
    return entry;
  }

  var queue = [];
  var active = 0;
  function preload(urls) {
    queue = urls.concat(queue.filter(function (u) { return urls.indexOf(u) < 0; })).slice(0, 2000);
    pump();
  }
  var quietUntil = 0, pumpTimer = null; // no new loads start between a move and its painted frame
  function pump() {
    var wait = quietUntil - performance.now();
    if (wait > 0) {
      if (!pumpTimer) pumpTimer = setTimeout(function () { pumpTimer = null; pump(); }, wait);
      return;
    }
    while (active < 3 && queue.length) {
      var url = queue.shift();
      if (cache.has(url)) continue;
      active += 1;
      load(url).promise.then(function () { active -= 1; pump(); });
    }
  }

  var bakes = {};
  function baked(id) { // per context: base, frames, summaries, alts (shared by the players of one bake)
    if (!bakes[id]) bakes[id] = JSON.parse(document.getElementById(id).textContent);
    return bakes[id];
  }

  function sameSpec(a, b) {
    return a && b && a.label === b.label && a.min === b.min && a.max === b.max && a.step === b.step &&
      a.kind === b.kind;
  }

  function nearestIndex(values, value) {
    var best = 0;
    for (var i = 0; i < values.length; i++) {
      if (typeof value === "number" ? Math.abs(values[i] - value) < Math.abs(values[best] - value)
                                    : String(values[i]) === String(value)) best = i;
    }
    return best;
  }

  function Player(section, number) {
    this.section = section;
    this.number = number;
    this.m = JSON.parse(section.querySelector("script.manifest").textContent);
    var data = baked(this.m.bake);
    this.m.contexts.forEach(function (c, i) { Object.assign(c, data[i]); });
    this.state = Object.assign({}, this.m.initial);
    this.base = section.querySelector("img.base");
    this.overlay = section.querySelector("img.overlay");
    this.base._src = this.base.getAttribute("src");
    this.overlay._src = this.overlay.getAttribute("src");
    this.overlay._alt = this.overlay.alt;
    this.readout = section.querySelector(".readout");
    this.frame = section.querySelector(".frame");
    this.inputs = {};
    this.tourIndex = -1;
    this.shown = 0;
    this.build();
    this.sync();
  }

  Player.prototype.context = function () {
    var m = this.m, state = this.state;
    for (var i = 0; i < m.contexts.length; i++) {
      var c = m.contexts[i], ok = true;
      for (var k in c.choices) if (String(c.choices[k]) !== String(state[k])) ok = false;
      if (ok) return c;
    }
    return m.contexts[0];
  };

  Player.prototype.index = function (context, state) {
    var m = this.m, index = 0;
    for (var i = 0; i < m.names.length; i++) {
      var n = m.names[i];
      if (m.kinds[n] === "choice") continue;
      var values = context.specs[n].values;
      index = index * values.length + nearestIndex(values, state[n]);
    }
    return index;
  };

  Player.prototype.urls = function (context, index) {
    return [this.m.dir + context.base, this.m.dir + context.frames[index]];
  };

  Player.prototype.build = function () {
    var self = this, m = this.m, box = this.section.querySelector(".controls");
    m.names.forEach(function (n) {
      var row = document.createElement("div");
      row.className = "control";
      var id = "c-" + m.var + "-" + n;
      var label = document.createElement("label");
      label.htmlFor = id;
      row.appendChild(label);
      var input;
      if (m.kinds[n] === "choice") {
        input = document.createElement("select");
        m.choices[n].values.forEach(function (v, i) {
          var option = document.createElement("option");
          option.value = String(v);
          option.textContent = m.choices[n].shown[i];
          input.appendChild(option);
        });
        label.textContent = m.choices[n].label;
        input.addEventListener("change", function (event) { self.choose(n, input.value, stamp(event)); });
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = "0";
        input.step = "1";
        input.addEventListener("input", function (event) {
          var spec = self.context().specs[n];
          self.state[n] = spec.values[Number(input.value)];
          self.changed(stamp(event));
        });
        var output = document.createElement("output");
        output.htmlFor = id;
        row.appendChild(input);
        row.appendChild(output);
        var note = document.createElement("span");
        note.className = "range-note";
        row.appendChild(note);
        input.output = output;
        input.note = note;
        input.label = label;
      }
      input.id = id;
      input.name = n;
      if (m.kinds[n] === "choice") row.appendChild(input);
      self.inputs[n] = input;
      box.appendChild(row);
    });
    var buttons = this.section.querySelector(".buttons");
    (m.buttons || []).forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.label;
      button.addEventListener("click", function (event) { self.press(b.action, stamp(event)); });
      buttons.appendChild(button);
    });
    if (m.tour && m.tour.length) this.buildTour();
    this.section.addEventListener("keydown", function (event) { self.key(event); });
  };

  Player.prototype.buildTour = function () {
    var self = this, box = this.section.querySelector(".tour");
    box.hidden = false;
    box.innerHTML = '<button type="button" class="tour-prev" aria-label="previous tour stop">◀</button>' +
      '<span class="tour-pos"></span><button type="button" class="tour-next" aria-label="next tour stop">▶</button>' +
      '<p class="tour-caption" aria-live="polite">Tour: press ▶ (or PageDown with the figure focused) ' +
      "to step through " + this.m.tour.length + " states the lecture shows.</p>";
    box.querySelector(".tour-prev").addEventListener("click", function (e) { self.tour(-1, stamp(e)); });
    box.querySelector(".tour-next").addEventListener("click", function (e) { self.tour(1, stamp(e)); });
    this.tourPos = box.querySelector(".tour-pos");
    this.tourCaption = box.querySelector(".tour-caption");
    this.tourPos.textContent = "tour 0 / " + this.m.tour.length;
  };

  Player.prototype.keys = function (kind) {
    var keys = (this.m.keys && this.m.keys[kind]) || [];
    return keys;
  };

  Player.prototype.key = function (event) {
    if (!this.m.tour || !this.m.tour.length) return;
    var onFrame = event.target === this.frame || (event.target.closest && event.target.closest(".tour"));
    var k = event.key;
    var paging = k === "PageDown" || k === "PageUp";
    if (this.keys("next").indexOf(k) >= 0 && (paging || onFrame)) {
      event.preventDefault();
      this.tour(1, stamp(event));
    } else if (this.keys("previous").indexOf(k) >= 0 && (paging || onFrame)) {
      event.preventDefault();
      this.tour(-1, stamp(event));
    } else if (onFrame && this.keys("first").indexOf(k) >= 0) {
      event.preventDefault();
      this.tourIndex = 0;
      this.tour(0, stamp(event));
    } else if (onFrame && this.keys("blank").indexOf(k) >= 0) {
      event.preventDefault();
      this.frame.classList.toggle("blank");
    }
  };

  Player.prototype.tour = function (step, time) {
    var stops = this.m.tour;
    this.tourIndex = Math.max(0, Math.min(stops.length - 1, this.tourIndex + step));
    var stop = stops[this.tourIndex];
    this.apply(stop.state);
    this.tourPos.textContent = "tour " + (this.tourIndex + 1) + " / " + stops.length;
    this.tourCaption.textContent = stop.caption;
    this.changed(time);
  };

  Player.prototype.apply = function (values) {
    var m = this.m, self = this;
    m.names.forEach(function (n) {
      if (m.kinds[n] === "choice" && n in values) {
        var options = m.choices[n].values.map(String);
        if (options.indexOf(String(values[n])) >= 0) self.setChoice(n, String(values[n]));
      }
    });
    var context = this.context();
    m.names.forEach(function (n) {
      if (m.kinds[n] !== "choice" && n in values) {
        var spec = context.specs[n];
        var v = values[n];
        if (typeof spec.values[0] === "number") v = Number(v);
        if (typeof spec.values[0] === "boolean") v = String(v) === "true";
        self.state[n] = spec.values[nearestIndex(spec.values, v)];
      }
    });
  };

  Player.prototype.setChoice = function (n, value) {
    var before = this.context();
    this.state[n] = value;
    var after = this.context(), m = this.m, self = this;
    m.names.forEach(function (k) {
      if (m.kinds[k] === "choice") return;
      var spec = after.specs[k];
      if (!sameSpec(before.specs[k], spec)) self.state[k] = spec.default;
      else self.state[k] = spec.values[nearestIndex(spec.values, self.state[k])];
    });
  };

  Player.prototype.choose = function (n, value, time) {
    this.setChoice(n, value);
    this.changed(time);
  };

  Player.prototype.press = function (action, time) {
    var context = this.context(), self = this;
    var values = {};
    Object.keys(action).forEach(function (n) {
      var a = action[n];
      if ("set" in a) { values[n] = a.set; return; }
      var spec = context.specs[n], i = nearestIndex(spec.values, self.state[n]);
      var target = self.state[n] + a.add;
      var j = nearestIndex(spec.values, Math.max(spec.values[0], Math.min(spec.values[spec.values.length - 1], target)));
      if (j === i && a.add > 0 && i + 1 < spec.values.length && target > spec.values[i]) j = i + 1;
      if (j === i && a.add < 0 && i > 0 && target < spec.values[i]) j = i - 1;
      values[n] = spec.values[j];
    });
    this.apply(values);
    this.changed(time);
  };

  Player.prototype.changed = function (time) {
    this.sync();
    this.show(time);
    scheduleHash();
    if (time) time.end = performance.now();
  };

  /* Controls show the state: slider positions, labels, readouts, disabled flags. */
  Player.prototype.sync = function () {
    var context = this.context(), m = this.m, self = this;
    m.names.forEach(function (n) {
      var input = self.inputs[n];
      if (m.kinds[n] === "choice") {
        if (input.value !== String(self.state[n])) input.value = String(self.state[n]);
        return;
      }
      var spec = context.specs[n];
      var i = nearestIndex(spec.values, self.state[n]);
      self.state[n] = spec.values[i];
      setProp(input, "max", String(spec.values.length - 1));
      if (input.value !== String(i)) input.value = String(i);
      setProp(input, "disabled", spec.disabled || spec.values.length < 2);
      if (input._valuetext !== spec.shown[i]) {
        input.setAttribute("aria-valuetext", spec.shown[i]);
        input._valuetext = spec.shown[i];
      }
      setText(input.label, spec.label);
      setText(input.output, spec.shown[i]);
      var note = spec.kind === "slider"
        ? spec.shown_min + " … " + spec.shown_max + ", step " + spec.shown_step +
          (spec.values.length < spec.live_count ? " (" + spec.values.length + " of " + spec.live_count + " baked)" : "")
        : (spec.values.length < spec.live_count ? spec.values.length + " of " + spec.live_count + " baked" : "");
      if (spec.disabled) note = "(not used by this schedule)";
      setText(input.note, note);
    });
  };

  Player.prototype.show = function (time) {
    var context = this.context(), index = this.index(context, this.state), self = this;
    var urls = this.urls(context, index);
    var token = ++this.shown;
    setText(this.readout, context.summaries[index]);
    var entries = urls.map(load);
    var ready = entries.every(function (e) { return e.ready; });
    var paint = function () {
      if (token !== self.shown) return;
      var painting = performance.now();
      self.swap(urls, context.alts[index]);
      if (!time) { self.preloadAround(context, index); return; }
      var swapped = performance.now();
      requestAnimationFrame(function () { // style, layout and paint of the new picture follow this callback
        var rendering = performance.now();
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { // the first task after that frame
          var now = performance.now();
          var script = ready ? time.end - time.start : (time.end - time.start) + (swapped - painting);
          site.latencies.push({ player: self.m.var, ms: now - time.input, work: script + (now - rendering),
                                script: script, render: now - rendering, ready: ready });
          quietUntil = 0;
          self.preloadAround(context, index); // after the frame, so it never delays one
        };
        channel.port2.postMessage(0);
      });
    };
    if (ready) paint();
    else Promise.all(entries.map(function (e) { return e.promise; })).then(paint);
  };

  /* Show a frame: its pictures are decoded already (the cache's Image objects hold them), so setting
   * the same address on the page's <img> paints at once; only what differs is written. */
  Player.prototype.swap = function (urls, alt) {
    if (this.base._src !== urls[0]) { this.base.src = urls[0]; this.base._src = urls[0]; }
    if (this.overlay._src !== urls[1]) { this.overlay.src = urls[1]; this.overlay._src = urls[1]; }
    setProp(this.overlay, "alt", alt);
  };

  /* Every state one move away (along each control, the buttons, the tour) gets decoded ahead. */
  Player.prototype.preloadAround = function (context, index) {
    var m = this.m, self = this, urls = [], near = [];
    var sliders = m.names.filter(function (n) { return m.kinds[n] !== "choice"; });
    var sizes = sliders.map(function (n) { return context.specs[n].values.length; });
    var stride = sizes.map(function (_, i) {
      return sizes.slice(i + 1).reduce(function (a, b) { return a * b; }, 1);
    });
    sliders.forEach(function (n, i) {
      var position = Math.floor(index / stride[i]) % sizes[i];
      for (var d = 1; d < sizes[i]; d++) {
        [position - d, position + d].forEach(function (p) {
          if (p >= 0 && p < sizes[i]) (d <= 2 ? near : urls).push(m.dir + context.frames[index + (p - position) * stride[i]]);
        });
      }
    });
    m.contexts.forEach(function (c) {
      if (c !== context) near.push(m.dir + c.base, m.dir + c.frames[self.index(c, self.state)]);
    });
    (m.tour || []).forEach(function (stop) {
      var saved = self.state;
      self.state = Object.assign({}, saved);
      self.apply(stop.state);
      var c = self.context();
      urls.push(m.dir + c.base, m.dir + c.frames[self.index(c, self.state)]);
      self.state = saved;
    });
    preload(near.concat(urls));
  };

  /* The address keeps every player's state: bare names for the first player, var.name for the others. */
  function parseHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf("=");
      if (eq < 0) return;
      out[decodeURIComponent(part.slice(0, eq))] = decodeURIComponent(part.slice(eq + 1));
    });
    return out;
  }

  /* The address is rewritten once the moves pause (history.replaceState costs a few ms, and browsers
   * throttle pages that call it on every step of a drag). */
  var hashTimer = null;
  function scheduleHash() {
    if (restoring) return;
    clearTimeout(hashTimer);
    hashTimer = setTimeout(writeHash, 120);
  }

  var restoring = false;
  function writeHash() {
    if (restoring) return;
    var parts = [];
    site.players.forEach(function (p, i) {
      var prefix = i === 0 ? "" : p.m.var + ".";
      var changed = p.m.names.some(function (n) { return String(p.state[n]) !== String(p.m.initial[n]); });
      if (!changed && i > 0) return;
      p.m.names.forEach(function (n) {
        parts.push(encodeURIComponent(prefix + n) + "=" + encodeURIComponent(String(p.state[n])));
      });
    });
    history.replaceState(null, "", "#" + parts.join("&"));
  }

  function restore() {
    var params = parseHash(), target = null;
    restoring = true;
    site.players.forEach(function (p, i) {
      var values = {};
      Object.keys(params).forEach(function (key) {
        var dot = key.indexOf(".");
        if (dot < 0 && i === 0) values[key] = params[key];
        if (dot > 0 && key.slice(0, dot) === p.m.var) values[key.slice(dot + 1)] = params[key];
      });
      if (Object.keys(values).length) {
        p.apply(values);
        p.sync();
        p.show();
        if (i > 0 && !target) target = p;
      }
    });
    restoring = false;
    if (target) target.section.scrollIntoView();
  }

  /* MathJax (vendored) typesets the equations once the first frame is on the screen. */
  function loadMathJax() {
    var meta = document.querySelector("meta[name=mathjax]");
    if (!meta || document.getElementById("mathjax-script")) return;
    var script = document.createElement("script");
    script.id = "mathjax-script";
    script.src = meta.getAttribute("content");
    script.async = true;
    script.onload = function () {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(fitMath);
    };
    document.head.appendChild(script);
  }

  /* An inline formula wider than its paragraph (on a phone) becomes a box of its own that scrolls
   * sideways, so the page never does: all classes are cleared, then all widths read, then the wide
   * ones marked (one layout, not one per formula). */
  var fitTimer = null;
  function fitMath() {
    var inline = document.querySelectorAll("mjx-container:not([display='true'])");
    var i, wide = [];
    for (i = 0; i < inline.length; i++) inline[i].classList.remove("wide");
    for (i = 0; i < inline.length; i++) {
      var box = inline[i].parentElement;
      if (box && inline[i].getBoundingClientRect().width > box.clientWidth) wide.push(inline[i]);
    }
    for (i = 0; i < wide.length; i++) wide[i].classList.add("wide");
    site.wideMath = wide.length;
  }
  window.addEventListener("resize", function () {
    clearTimeout(fitTimer);
    fitTimer = setTimeout(fitMath, 200);
  });

  function start() {
    var sections = document.querySelectorAll("section.player");
    for (var i = 0; i < sections.length; i++) site.players.push(new Player(sections[i], i));
    restore();
    window.addEventListener("hashchange", restore);
    var first = site.players[0];
    var later = function () { // after the first frame: the equations, then the neighbouring pictures
      loadMathJax();
      site.players.forEach(function (p) { p.preloadAround(p.context(), p.index(p.context(), p.state)); });
    };
    var done = function () {
      requestAnimationFrame(function () {
        site.firstFrame = performance.now();
        setTimeout(later, 0);
      });
    };
    if (first) {
      Promise.all([first.base, first.overlay].map(function (img) {
        return img.complete ? Promise.resolve() : img.decode();
      })).then(done, done);
    } else loadMathJax();
  }

  // The script is the last element of <body>: everything above is parsed, so start now (DOMContentLoaded
  // would wait for MathJax, a deferred script, to run first).
  start();
})();
