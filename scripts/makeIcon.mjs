// Draws media/icon.png (128×128), the extension's icon: a picture frame with a saliency blob in the turbo colours
// and the letters DAX. Run once after a change: node scripts/makeIcon.mjs
import path from 'node:path';
import sharp from 'sharp';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <defs>
    <radialGradient id="heat" cx="58%" cy="42%" r="50%">
      <stop offset="0" stop-color="#7a0403"/>
      <stop offset="0.2" stop-color="#e4460a"/>
      <stop offset="0.4" stop-color="#fbb938"/>
      <stop offset="0.6" stop-color="#a4fc3c"/>
      <stop offset="0.8" stop-color="#1ae4b6"/>
      <stop offset="1" stop-color="#30123b" stop-opacity="0"/>
    </radialGradient>
  </defs>
  <rect x="4" y="4" width="120" height="120" rx="18" fill="#1e1e2e"/>
  <rect x="16" y="14" width="96" height="72" rx="6" fill="#30123b" stroke="#4662d7" stroke-width="3"/>
  <ellipse cx="70" cy="46" rx="40" ry="30" fill="url(#heat)"/>
  <text x="64" y="114" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold" font-size="28" fill="#f0f0f5" letter-spacing="2">DAX</text>
</svg>`;
await sharp(Buffer.from(svg))
  .png()
  .toFile(path.join(root, 'media', 'icon.png'));
console.log('wrote media/icon.png');
