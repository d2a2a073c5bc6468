// The taxonomy the API and the form offer is the database's: 11 categories and 10 channels, active ones only, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { query } from '../lib/db.mjs';

test('GET /api/v1/taxonomy lists the database categories and channels', async () => {
	const res = await c.request('/api/v1/taxonomy');
	assert.equal(res.status, 200);
	assert.match(res.headers.get('content-type'), /^application\/json/);
	const j = JSON.parse(res.text);
	assert.equal(j.categories.length, 11);
	assert.equal(j.channels.length, 10);
	const cats = (await query('SELECT code, label, hint FROM ' +
	    'concern_categories WHERE active ORDER BY position')).rows;
	const chans = (await query('SELECT code, label FROM channels ' +
	    'WHERE active ORDER BY position')).rows;
	assert.deepEqual(j.categories, cats);
	assert.deepEqual(j.channels, chans);
	assert.ok(j.categories.some((x) => x.code === 'security.breach'));
	assert.ok(j.channels.some((x) => x.code === 'social_ad'));
});

test('the form offers the same codes', async () => {
	const form = await c.getForm();
	const radios = form.doc.querySelectorAll('input[name="category"]')
	    .map((e) => e.getAttribute('value'));
	const options = form.doc.querySelectorAll('select[name="channel"] option')
	    .map((e) => e.getAttribute('value')).filter((v) => v !== '');
	const j = JSON.parse((await c.request('/api/v1/taxonomy')).text);
	assert.deepEqual(radios, j.categories.map((x) => x.code));
	assert.deepEqual(options, j.channels.map((x) => x.code));
});

test('a category switched off in the database disappears and is refused', async () => {
	await query("UPDATE concern_categories SET active = false " +
	    "WHERE code = 'bias.pricing'");
	try {
		const j = JSON.parse((await c.request('/api/v1/taxonomy')).text);
		assert.equal(j.categories.length, 10);
		assert.ok(!j.categories.some((x) => x.code === 'bias.pricing'));
		const res = await c.apiComplaint(c.validDoc({
		    category: 'bias.pricing' }));
		assert.equal(res.status, 422);
		assert.deepEqual(Object.keys(res.json.error.fields), ['category']);
	} finally {
		await query("UPDATE concern_categories SET active = true " +
		    "WHERE code = 'bias.pricing'");
	}
	const j = JSON.parse((await c.request('/api/v1/taxonomy')).text);
	assert.equal(j.categories.length, 11);
});
