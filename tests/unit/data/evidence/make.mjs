// Makes the evidence fixtures of tests/unit/test_evidence.c (and the HTTP
// and browser tests): images encoded by Debian's Chromium, then metadata,
// polyglot payloads, huge declared sizes and truncations planted by hand.
// Run from the top, with the test npm packages installed:
//   node tests/unit/data/evidence/make.mjs
// The files are checked in; run it again only to change them.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import zlib from 'node:zlib';

const require = createRequire(new URL('../../../package.json',
    import.meta.url));
const { chromium } = require('playwright-core');
const here = dirname(fileURLToPath(import.meta.url));
const out = (name, buf) => writeFileSync(join(here, name), buf);

/* ---- the pixels, from a canvas ---- */

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
const encoded = await page.evaluate(async () => {
	const c = document.createElement('canvas');
	c.width = 64;
	c.height = 48;
	const g = c.getContext('2d');
	for (let y = 0; y < 48; y += 8)
		for (let x = 0; x < 64; x += 8) {
			g.fillStyle = `rgb(${x * 4},${y * 5},${(x + y) * 2})`;
			g.fillRect(x, y, 8, 8);
		}
	g.fillStyle = '#fff';
	g.font = '12px sans-serif';
	g.fillText('ad', 20, 28);
	const one = async (type) => {
		const blob = await new Promise((r) => c.toBlob(r, type, 0.9));
		return [...new Uint8Array(await blob.arrayBuffer())];
	};
	return { png: await one('image/png'), jpeg: await one('image/jpeg'),
	    webp: await one('image/webp') };
});
await browser.close();
const png = Buffer.from(encoded.png);
const jpeg = Buffer.from(encoded.jpeg);
const webp = Buffer.from(encoded.webp);

/* ---- PNG ---- */

const crcTable = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++)
		c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf)
		c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}
// The chunks of a PNG: [{ type, data, raw }].
function pngChunks(buf) {
	const chunks = [];
	for (let p = 8; p < buf.length;) {
		const n = buf.readUInt32BE(p);
		chunks.push({ type: buf.toString('latin1', p + 4, p + 8),
		    data: buf.subarray(p + 8, p + 8 + n),
		    raw: buf.subarray(p, p + 12 + n) });
		p += 12 + n;
	}
	return chunks;
}
const sig = png.subarray(0, 8);
const chunks = pngChunks(png);
const ihdr = chunks[0].raw;
const rest = chunks.slice(1).map((c) => c.raw);

// The Exif block (TIFF, big-endian) with a camera make and a GPS position.
function exifTiff() {
	const ifd = (tags, base) => {
		// tags: [tag, type, count, valueBuffer]
		const head = Buffer.alloc(2 + tags.length * 12 + 4);
		head.writeUInt16BE(tags.length, 0);
		let extra = Buffer.alloc(0);
		const extraAt = base + head.length;
		tags.forEach(([tag, type, count, value], i) => {
			const o = 2 + i * 12;
			head.writeUInt16BE(tag, o);
			head.writeUInt16BE(type, o + 2);
			head.writeUInt32BE(count, o + 4);
			if (value.length <= 4)
				value.copy(head, o + 8);
			else {
				head.writeUInt32BE(extraAt + extra.length, o + 8);
				extra = Buffer.concat([extra, value,
				    Buffer.alloc(value.length % 2)]);
			}
		});
		return Buffer.concat([head, extra]);
	};
	const rational = (...pairs) => {
		const b = Buffer.alloc(pairs.length * 8);
		pairs.forEach(([n, d], i) => {
			b.writeUInt32BE(n, i * 8);
			b.writeUInt32BE(d, i * 8 + 4);
		});
		return b;
	};
	const ascii = (s) => Buffer.from(s + '\0', 'latin1');
	const u32 = (v) => {
		const b = Buffer.alloc(4);
		b.writeUInt32BE(v);
		return b;
	};
	const make = ascii('RCMARKCAMERA');
	// IFD0 at 8: Make, GPSInfo pointer; the GPS IFD follows it.
	const ifd0Size = 2 + 2 * 12 + 4 + make.length + (make.length % 2);
	const gpsAt = 8 + ifd0Size;
	const ifd0 = ifd([[0x010f, 2, make.length, make],
	    [0x8825, 4, 1, u32(gpsAt)]], 8);
	const gps = ifd([[0x0001, 2, 2, ascii('N')],
	    [0x0002, 5, 3, rational([40, 1], [25, 1], [1234, 100])],
	    [0x0003, 2, 2, ascii('W')],
	    [0x0004, 5, 3, rational([3, 1], [42, 1], [5678, 100])]], gpsAt);
	return Buffer.concat([Buffer.from('MM\0\x2a', 'latin1'), u32(8), ifd0,
	    gps]);
}
const exif = exifTiff();
const xmp = Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF ' +
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:' +
    'Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:' +
    'GPSLatitude="40,25.2N">RCMARKXMP</rdf:Description></rdf:RDF>' +
    '</x:xmpmeta>', 'latin1');

out('clean.png', png);
out('meta.png', Buffer.concat([sig, ihdr,
    pngChunk('tEXt', Buffer.from('Comment\0RCMARKTEXT', 'latin1')),
    pngChunk('eXIf', exif),
    pngChunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0' +
        '\0\0', 'latin1'), xmp])),
    pngChunk('tIME', Buffer.from([7, 234, 12, 7, 1, 2, 3])),
    ...rest]));
// HTML hidden in a text chunk, and HTML after the end.
out('polyglot-html.png', Buffer.concat([sig, ihdr,
    pngChunk('tEXt', Buffer.from('Comment\0<html><script>alert(1)' +
        '</script></html>', 'latin1')), ...rest]));
out('trailing.png', Buffer.concat([png, Buffer.from('<html><body>' +
    'hello</body></html>\n', 'latin1')]));
out('polyglot-pdf.png', Buffer.concat([sig, ihdr,
    pngChunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'),
        zlib.deflateSync(Buffer.from('%PDF-1.4 1 0 obj', 'latin1'))])),
    pngChunk('tEXt', Buffer.from('Raw\0%PDF-1.4\n1 0 obj << >> endobj',
        'latin1')), ...rest]));
{
	const big = Buffer.from(chunks[0].data);
	big.writeUInt32BE(100000, 0);
	big.writeUInt32BE(100000, 4);
	out('bomb.png', Buffer.concat([sig, pngChunk('IHDR', big), ...rest]));
}
out('truncated.png', png.subarray(0, Math.floor(png.length / 2)));
{
	const bad = Buffer.from(png);
	bad[bad.length - 20] ^= 0xff;	/* inside IDAT: its CRC fails */
	out('badcrc.png', bad);
}

/* ---- JPEG ---- */

function jpegSegment(marker, body) {
	const head = Buffer.alloc(4);
	head[0] = 0xff;
	head[1] = marker;
	head.writeUInt16BE(body.length + 2, 2);
	return Buffer.concat([head, body]);
}
out('clean.jpg', jpeg);
out('gps.jpg', Buffer.concat([jpeg.subarray(0, 2),
    jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'),
        exif])),
    jpegSegment(0xe1, Buffer.concat([Buffer.from(
        'http://ns.adobe.com/xap/1.0/\0', 'latin1'), xmp])),
    jpegSegment(0xfe, Buffer.from('RCMARKCOMMENT', 'latin1')),
    jpegSegment(0xed, Buffer.from('Photoshop 3.0\0RCMARKIPTC', 'latin1')),
    jpeg.subarray(2)]));
out('truncated.jpg', jpeg.subarray(0, jpeg.length - 40));
{
	// The frame header's height and width set to 60000 x 60000.
	const big = Buffer.from(jpeg);
	for (let p = 2; p < big.length;) {
		const m = big[p + 1];
		const n = big.readUInt16BE(p + 2);
		if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 &&
		    m !== 0xcc) {
			big.writeUInt16BE(60000, p + 5);
			big.writeUInt16BE(60000, p + 7);
			break;
		}
		p += 2 + n;
	}
	out('bomb.jpg', big);
}
out('polyglot-html.jpg', Buffer.concat([jpeg.subarray(0, 2),
    jpegSegment(0xfe, Buffer.from('<script>alert(1)</script>', 'latin1')),
    jpeg.subarray(2)]));

/* ---- WebP ---- */

function riff(chunks) {
	const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
	const head = Buffer.alloc(8);
	head.write('RIFF', 0, 'latin1');
	head.writeUInt32LE(body.length, 4);
	return Buffer.concat([head, body]);
}
function webpChunk(type, data) {
	const head = Buffer.alloc(8);
	head.write(type, 0, 'latin1');
	head.writeUInt32LE(data.length, 4);
	return Buffer.concat([head, data, Buffer.alloc(data.length % 2)]);
}
out('clean.webp', webp);
{
	// The simple file's one image chunk, in the extended format with
	// Exif and XMP beside it.
	const image = webp.subarray(12);
	const vp8x = Buffer.alloc(10);
	vp8x[0] = 0x08 | 0x04;		/* Exif and XMP present */
	vp8x.writeUIntLE(64 - 1, 4, 3);
	vp8x.writeUIntLE(48 - 1, 7, 3);
	out('meta.webp', riff([webpChunk('VP8X', vp8x), image,
	    webpChunk('EXIF', exif), webpChunk('XMP ', xmp)]));
	const huge = Buffer.from(vp8x);
	huge[0] = 0;
	huge.writeUIntLE(16383, 4, 3);
	huge.writeUIntLE(16383, 7, 3);
	out('bomb.webp', riff([webpChunk('VP8X', huge), image]));
}
out('truncated.webp', webp.subarray(0, webp.length - 10));

/* ---- PDF and text ---- */

const pdfBody = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n' +
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n' +
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> ' +
    'endobj\n';
const xref = pdfBody.length;
out('sample.pdf', Buffer.from(pdfBody + 'xref\n0 4\n' +
    '0000000000 65535 f \n0000000015 00000 n \n' +
    '0000000065 00000 n \n0000000122 00000 n \n' +
    'trailer << /Size 4 /Root 1 0 R >>\nstartxref\n' + xref +
    '\n%%EOF\n', 'latin1'));
out('truncated.pdf', Buffer.from(pdfBody, 'latin1'));
out('note.txt', Buffer.from('The advert said: "Because you visited ' +
    'a clinic." Seen on 3 March.\nSecond line, caf\u00e9.\n', 'utf8'));
out('html.txt', Buffer.from('<!DOCTYPE html><html><body>hi</body></html>\n',
    'utf8'));
out('binary.bin', Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8]));
