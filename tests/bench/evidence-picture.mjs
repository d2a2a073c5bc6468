// A photograph-like JPEG of about 1 MiB, encoded by Debian's Chromium, for tests/bench/evidence.sh.
//   node tests/bench/evidence-picture.mjs OUT.jpg
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(new URL('../package.json', import.meta.url));
const { chromium } = require('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
const bytes = await page.evaluate(async () => {
	// Noise over gradients compresses like a busy photograph.
	const c = document.createElement('canvas');
	c.width = 1600;
	c.height = 1200;
	const g = c.getContext('2d');
	const img = g.createImageData(c.width, c.height);
	let s = 12345;
	for (let i = 0; i < img.data.length; i += 4) {
		s = (s * 1103515245 + 12345) & 0x7fffffff;
		const x = (i / 4) % c.width, y = Math.floor(i / 4 / c.width);
		img.data[i] = (x / 7 + (s & 63)) & 255;
		img.data[i + 1] = (y / 5 + ((s >> 6) & 63)) & 255;
		img.data[i + 2] = ((x + y) / 9 + ((s >> 12) & 63)) & 255;
		img.data[i + 3] = 255;
	}
	g.putImageData(img, 0, 0);
	for (const q of [0.92, 0.85, 0.75, 0.6]) {
		const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg',
		    q));
		if (blob.size <= 1100000 || q === 0.6)
			return [...new Uint8Array(await blob.arrayBuffer())];
	}
});
await browser.close();
writeFileSync(process.argv[2], Buffer.from(bytes));
console.error(`evidence-picture: ${bytes.length} bytes`);
