// Rebuilds test/fixtures/scenetext/ from Debian's opencv-doc examples (real street photos with pixel-exact text
// masks): crops each word with a margin so that the PaddleOCR direction classifier sees a text line (aspect ≤ 4),
// and writes the crop, its mask, and the crop rotated by 180° (the classifier's other class).
// Run: apt-get install opencv-doc && npx tsx scripts/makeTextFixtures.ts
import sharp from 'sharp';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const source = '/usr/share/doc/opencv-doc/examples/text';
const out = path.join(__dirname, '..', 'test', 'fixtures', 'scenetext');

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  for (let i = 1; i <= 5; i++) {
    const stem = `scenetext_segmented_word0${i}`;
    const mask = await sharp(path.join(source, `${stem}_mask.png`))
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height } = mask.info;
    let x0 = width,
      y0 = height,
      x1 = -1,
      y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (mask.data[y * width + x] > 127) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
    }
    // A margin of half the text height on every side, then widen the box's height until the aspect is at most 4,
    // because the classifier's input is 48x192 and wider crops would be squeezed.
    const th = y1 - y0 + 1;
    let left = x0 - th / 2,
      right = x1 + th / 2,
      top = y0 - th / 2,
      bottom = y1 + th / 2;
    const minHeight = (right - left) / 4;
    if (bottom - top < minHeight) {
      const grow = (minHeight - (bottom - top)) / 2;
      top -= grow;
      bottom += grow;
    }
    left = Math.max(0, Math.round(left));
    top = Math.max(0, Math.round(top));
    right = Math.min(width, Math.round(right));
    bottom = Math.min(height, Math.round(bottom));
    const region = { left, top, width: right - left, height: bottom - top };
    const name = `word${i}`;
    await sharp(path.join(source, `${stem}.jpg`))
      .extract(region)
      .jpeg({ quality: 92 })
      .toFile(path.join(out, `${name}.jpg`));
    await sharp(path.join(source, `${stem}.jpg`))
      .extract(region)
      .rotate(180)
      .jpeg({ quality: 92 })
      .toFile(path.join(out, `${name}-180.jpg`));
    await sharp(path.join(source, `${stem}_mask.png`))
      .extract(region)
      .greyscale()
      .threshold(128)
      .png()
      .toFile(path.join(out, `${name}.mask.png`));
    await sharp(path.join(source, `${stem}_mask.png`))
      .extract(region)
      .rotate(180)
      .greyscale()
      .threshold(128)
      .png()
      .toFile(path.join(out, `${name}-180.mask.png`));
    console.log(name, region);
  }
}

void main();
