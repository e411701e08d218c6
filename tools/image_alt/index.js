// JupyterLab 4 and Notebook 7 draw an image output as <img> without the alt text that IPython
// stores in the output's metadata ({"image/png": {"alt": "..."}}); nbconvert's classic template
// and VS Code read it. This plugin wraps the image renderer so the <img> gets it too, for stored
// outputs of untrusted notebooks as well (metadata is data, nothing runs). It also names what
// ipywidgets leaves unnamed in our live panels: each slider handle gets its visible label as
// aria-label, and a panel's picture gets the sentence of its live region (.lecture-live-region)
// as alt. Built by `make image-alt`.
const { RenderedImage } = require('@jupyterlab/rendermime');

function nameWidgets(root) {
  for (const handle of root.querySelectorAll('.widget-slider .noUi-handle:not([aria-label])')) {
    const label = handle.closest('.widget-slider').querySelector('.widget-label');
    if (label && label.textContent.trim()) {
      handle.setAttribute('aria-label', label.textContent.trim());
    }
  }
  for (const region of root.querySelectorAll('.lecture-live-region')) {
    const box = region.parentElement;
    const img = box && box.querySelector(':scope > img.widget-image, :scope > .widget-image');
    const text = region.textContent.trim();
    if (img && text && img.getAttribute('alt') !== text) {
      img.setAttribute('alt', text);
    }
  }
}

// A visible keyboard focus on the panels' controls (ipywidgets draws none on a slider's handle).
const FOCUS_CSS = `
.jp-OutputArea-output .widget-slider .noUi-handle:focus-visible,
.jp-OutputArea-output select:focus-visible,
.jp-OutputArea-output .jupyter-button:focus-visible {
  outline: 3px solid #0072B2 !important;
  outline-offset: 2px;
}`;

module.exports = [{
  id: 'lecture-image-alt:plugin',
  description: "Puts the alt text of an image output's metadata on its <img>; names the panels' sliders and pictures.",
  autoStart: true,
  activate: () => {
    const render = RenderedImage.prototype.render;
    RenderedImage.prototype.render = async function (model) {
      await render.call(this, model);
      const metadata = model.metadata[this.mimeType];
      const alt = metadata && typeof metadata.alt === 'string' ? metadata.alt : '';
      const img = this.node.querySelector('img');
      if (img && alt) {
        img.alt = alt;
      }
    };
    const style = document.createElement('style');
    style.textContent = FOCUS_CSS;
    document.head.appendChild(style);
    let queued = false;
    new MutationObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; nameWidgets(document.body); });
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  }
}];
