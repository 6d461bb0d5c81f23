'use strict';
/*
 * The push script (netsuite/src/FileCabinet/SuiteScripts/mlc_push_ue.js)
 * under Node: an AMD define shim hands it stubs of N/https, N/log and
 * N/runtime, and each test drives afterSubmit as NetSuite would.
 *
 * The first test writes the exact body it sent to $MLC_PUSH_FIXTURE_OUT
 * (CMake sets it to a file in the build folder); the C unit test
 * tests/unit/test_netsuite_push_fixture.c parses that file with the
 * connector's own NetSuite push parser and compares it with the copy kept
 * in tests/node/fixtures/netsuite_push.json, so the script and the
 * receiver cannot drift apart.
 *
 * Run: node --test tests/node/
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'netsuite', 'src', 'FileCabinet', 'SuiteScripts', 'mlc_push_ue.js');
const FIXED_NOW = Date.UTC(2026, 10, 30, 17, 45, 12, 250); /* 2026-11-30T17:45:12.250Z */
const URL = 'https://connector.example.com/webhooks/netsuite/acme';

/* --- stubs of the N/ modules ------------------------------------------ */

function secureString(input) {
	/* N/https SecureString: opaque; the script may only pass it on */
	return Object.freeze({ kind: 'SecureString', input: input });
}

function stubs(opts) {
	const o = opts || {};
	const calls = { post: [], secure: [], log: [] };
	const params = Object.assign({ custscript_mlc_push_url: URL, custscript_mlc_integration_user: '' },
				     o.params || {});
	const https = {
		createSecureString(options) {
			calls.secure.push(options);
			if (o.secureThrows)
				throw o.secureThrows;
			return secureString(options.input);
		},
		post(options) {
			calls.post.push(options);
			if (o.postThrows)
				throw o.postThrows;
			return { code: o.code === undefined ? 200 : o.code, body: '{"status":"queued"}', headers: {} };
		},
	};
	const log = {};
	for (const level of ['debug', 'audit', 'error', 'emergency'])
		log[level] = (entry) => calls.log.push({ level: level, title: entry.title, details: entry.details });
	const runtime = {
		ContextType: { USER_INTERFACE: 'USERINTERFACE', REST_WEBSERVICES: 'RESTWEBSERVICES',
			       CSV_IMPORT: 'CSVIMPORT', WEBSERVICES: 'WEBSERVICES' },
		executionContext: o.context || 'USERINTERFACE',
		accountId: '1234567_SB1',
		getCurrentUser: () => ({ id: o.user === undefined ? 31 : o.user, role: 3 }),
		getCurrentScript: () => ({ getParameter: (p) => (p.name in params ? params[p.name] : null) }),
	};
	return { modules: { 'N/https': https, 'N/log': log, 'N/runtime': runtime }, calls: calls };
}

/* AMD: the script calls define(deps, factory) once. */
function load(modules) {
	let exported = null;
	const define = (deps, factory) => {
		exported = factory(...deps.map((d) => {
			assert.ok(d in modules, 'the script asks for a module the test does not stub: ' + d);
			return modules[d];
		}));
	};
	new Function('define', fs.readFileSync(SCRIPT, 'utf8'))(define);
	assert.equal(typeof exported.afterSubmit, 'function');
	return exported;
}

function record(type, id, lastmodified) {
	return {
		type: type,
		id: id,
		getValue(f) {
			if (f.fieldId === 'lastmodifieddate')
				return lastmodified === undefined ? '' : lastmodified;
			return '';
		},
	};
}

/* Runs afterSubmit with Date fixed at FIXED_NOW; returns the stub calls
 * and whatever afterSubmit threw (it must throw nothing). */
function run(opts, context) {
	const s = stubs(opts);
	const script = load(s.modules);
	const RealDate = Date;
	class FixedDate extends RealDate {
		constructor(...a) {
			super(...(a.length ? a : [FIXED_NOW]));
		}
		static now() {
			return FIXED_NOW;
		}
	}
	let thrown = null;
	globalThis.Date = FixedDate;
	try {
		script.afterSubmit(context);
	} catch (e) {
		thrown = e;
	} finally {
		globalThis.Date = RealDate;
	}
	return Object.assign(s.calls, { thrown: thrown });
}

const billEdit = () => ({
	type: 'edit',
	newRecord: record('vendorbill', 812, new Date(Date.UTC(2026, 10, 30, 17, 45, 11))),
	oldRecord: record('vendorbill', 812, new Date(Date.UTC(2026, 10, 29, 9, 0, 0))),
});

/* --- tests ---------------------------------------------------------------- */

test('a save in the UI posts the documented body with the secret header', () => {
	const c = run({}, billEdit());

	assert.equal(c.thrown, null);
	assert.equal(c.post.length, 1);
	const p = c.post[0];
	assert.equal(p.url, URL);
	assert.equal(p.headers['Content-Type'], 'application/json');
	/* the secret comes from the API secret, as a secure string, never text */
	assert.deepEqual(c.secure, [{ input: '{custsecret_mlc_webhook}' }]);
	assert.deepEqual(p.headers['X-MLC-Webhook-Secret'], secureString('{custsecret_mlc_webhook}'));
	assert.equal(Object.keys(p.headers).length, 2);
	assert.equal(typeof p.body, 'string');
	assert.deepEqual(JSON.parse(p.body), {
		recordType: 'vendorbill',
		id: 812,
		event: 'edit',
		lastModifiedDate: '2026-11-30T17:45:11.000Z',
		user: 31,
		executionContext: 'USERINTERFACE',
		account: '1234567_SB1',
		timestamp: '2026-11-30T17:45:12.250Z',
	});
	/* tiny: the connector fetches the record itself */
	assert.ok(Buffer.byteLength(p.body) < 512, 'body is ' + Buffer.byteLength(p.body) + ' bytes');
	assert.deepEqual(c.log.filter((l) => l.level === 'error'), []);

	const out = process.env.MLC_PUSH_FIXTURE_OUT ||
		    path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-push-')), 'netsuite_push.json');
	fs.mkdirSync(path.dirname(out), { recursive: true });
	fs.writeFileSync(out, p.body);
});

test('the header is the one the receiver reads', () => {
	const receiver = fs.readFileSync(path.join(ROOT, 'src', 'server', 'webhooks.c'), 'utf8');
	const c = run({}, billEdit());

	assert.match(receiver, /http_request_header\(req, "X-MLC-Webhook-Secret"\)/);
	assert.ok('X-MLC-Webhook-Secret' in c.post[0].headers);
});

test('the connector\'s own REST writes are not pushed', () => {
	const c = run({ context: 'RESTWEBSERVICES' }, billEdit());

	assert.equal(c.thrown, null);
	assert.equal(c.post.length, 0);
	assert.equal(c.secure.length, 0);
});

test('saves by the integration user are not pushed, in any context', () => {
	const c = run({ context: 'CSVIMPORT', user: 57, params: { custscript_mlc_integration_user: '57' } },
		      billEdit());

	assert.equal(c.thrown, null);
	assert.equal(c.post.length, 0);
});

test('other users and other contexts are pushed', () => {
	const c = run({ context: 'CSVIMPORT', user: 31, params: { custscript_mlc_integration_user: '57' } },
		      billEdit());

	assert.equal(c.post.length, 1);
	assert.equal(JSON.parse(c.post[0].body).executionContext, 'CSVIMPORT');
});

test('https.post throwing never fails the save and is logged', () => {
	const err = Object.assign(new Error('The host you are trying to connect to is not responding.'),
				  { name: 'SSS_CONNECTION_TIME_OUT' });
	const c = run({ postThrows: err }, billEdit());

	assert.equal(c.thrown, null);
	assert.equal(c.post.length, 1);
	const errors = c.log.filter((l) => l.level === 'error');
	assert.equal(errors.length, 1);
	assert.equal(errors[0].title, 'ml-connector push');
	assert.match(errors[0].details, /SSS_CONNECTION_TIME_OUT/);
	assert.doesNotMatch(errors[0].details, /custsecret/);
});

test('a missing or unusable API secret is logged, not thrown', () => {
	const c = run({ secureThrows: Object.assign(new Error('secret not allowed'), { name: 'INVALID_SECRET' }) },
		      billEdit());

	assert.equal(c.thrown, null);
	assert.equal(c.post.length, 0);
	assert.equal(c.log.filter((l) => l.level === 'error').length, 1);
});

test('a refusal by the connector is logged with its status', () => {
	const c = run({ code: 401 }, billEdit());

	assert.equal(c.thrown, null);
	const errors = c.log.filter((l) => l.level === 'error');
	assert.equal(errors.length, 1);
	assert.match(errors[0].details, /vendorbill 812: the connector answered 401/);
});

test('an empty URL parameter is logged and nothing is sent', () => {
	const c = run({ params: { custscript_mlc_push_url: '' } }, billEdit());

	assert.equal(c.thrown, null);
	assert.equal(c.post.length, 0);
	assert.match(c.log.find((l) => l.level === 'error').details, /custscript_mlc_push_url/);
});

test('a delete pushes the old record with the push time', () => {
	const c = run({}, { type: 'delete', oldRecord: record('purchaseorder', 77, new Date(0)) });
	const body = JSON.parse(c.post[0].body);

	assert.equal(body.recordType, 'purchaseorder');
	assert.equal(body.id, 77);
	assert.equal(body.event, 'delete');
	/* the deleted record's date would repeat its last edit's dedup key
	 * (recordType:id:date): the delete is its own event */
	assert.equal(body.lastModifiedDate, '2026-11-30T17:45:12.250Z');
});

test('a record without lastmodifieddate (xedit) takes the push time', () => {
	const c = run({}, { type: 'xedit', newRecord: record('customrecord_cseg_mlc_costcode', 5) });
	const body = JSON.parse(c.post[0].body);

	assert.equal(body.recordType, 'customrecord_cseg_mlc_costcode');
	assert.equal(body.event, 'xedit');
	assert.equal(body.lastModifiedDate, '2026-11-30T17:45:12.250Z');
});

test('the script declares SuiteScript 2.1 and the user event type', () => {
	const head = fs.readFileSync(SCRIPT, 'utf8').slice(0, 200);

	assert.match(head, /@NApiVersion 2\.1/);
	assert.match(head, /@NScriptType UserEventScript/);
});
