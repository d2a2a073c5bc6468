// A photograph-like JPEG of about 1 MiB, encoded by Debian's Chromium, for tests/bench/evidence.sh.
//   node tests/bench/evidence-picture.mjs OUT.jpg
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(new URL('../package.json', import.meta.url));
const { chromium } = require('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
// The first size and quality that land between 1.0 and 1.1 MB.
const bytes = await page.evaluate(async () => {
	const encode = async (w, h, q) => {
		// Noise over gradients compresses like a busy photograph.
		const c = document.createElement('canvas');
		c.width = w;
		c.height = h;
		const g = c.getContext('2d');
		const img = g.createImageData(w, h);
		let s = 12345;
		for (let i = 0; i < img.data.length; i += 4) {
			s = (s * 1103515245 + 12345) & 0x7fffffff;
			const x = (i / 4) % w, y = Math.floor(i / 4 / w);
			img.data[i] = (x / 7 + (s & 63)) & 255;
			img.data[i + 1] = (y / 5 + ((s >> 6) & 63)) & 255;
			img.data[i + 2] = ((x + y) / 9 + ((s >> 12) & 63)) & 255;
			img.data[i + 3] = 255;
		}
		g.putImageData(img, 0, 0);
		const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg',
		    q));
		return new Uint8Array(await blob.arrayBuffer());
	};
	let best = null;
	for (const [w, h] of [[1600, 1200], [1800, 1350], [2000, 1500]])
		for (const q of [0.95, 0.92, 0.9, 0.85, 0.8]) {
			const b = await encode(w, h, q);
			if (b.length >= 1000000 && b.length <= 1100000)
				return [...b];
			if (best === null || Math.abs(b.length - 1048576) <
			    Math.abs(best.length - 1048576))
				best = b;
		}
	return [...best];
});
await browser.close();
writeFileSync(process.argv[2], Buffer.from(bytes));
console.error(`evidence-picture: ${bytes.length} bytes`);
