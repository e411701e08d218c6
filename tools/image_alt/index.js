// JupyterLab 4 and Notebook 7 draw an image output as <img> without the alt text that IPython
// stores in the output's metadata ({"image/png": {"alt": "..."}}); nbconvert's classic template
// and VS Code read it. This plugin wraps the image renderer so the <img> gets it too, for stored
// outputs of untrusted notebooks as well (metadata is data, nothing runs). Built by `make image-alt`.
const { RenderedImage } = require('@jupyterlab/rendermime');

module.exports = [{
  id: 'lecture-image-alt:plugin',
  description: "Puts the alt text of an image output's metadata on its <img>.",
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
  }
}];
