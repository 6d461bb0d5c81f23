/**
 * @NApiVersion 2.1
 * @NScriptType UserEventScript
 * @NModuleScope SameAccount
 */
/*
 * ml-connector push: after a record is saved, tell the connector which
 * record changed; the connector fetches the record itself.
 *
 * Body (what src/server/webhook_parse.c, webhook_parse_netsuite, accepts;
 * docs/architecture.md, "Echoes"):
 *   {"recordType": "vendorbill", "id": 812, "event": "edit",
 *    "lastModifiedDate": "<RFC 3339>", "user": 31,
 *    "executionContext": "USERINTERFACE", "account": "1234567",
 *    "timestamp": "<RFC 3339>"}
 * sent to the URL in the script parameter custscript_mlc_push_url with the
 * shared secret in the X-MLC-Webhook-Secret header.  The secret is the API
 * secret custsecret_mlc_webhook (Setup > Company > API Secrets), read only
 * through an N/https secure string, so the script never sees its value.
 *
 * afterSubmit runs while the user waits, and https.post cannot be made
 * shorter than 5 s to connect and 45 s to send (docs/reference/netsuite.md,
 * "Verified facts for the NetSuite side"): the body stays small, nothing is
 * retried here, and every error is caught and written to the script's
 * execution log (N/log), so a save never fails because of the connector.
 * A push that is lost is caught by the connector's polling.
 *
 * Echoes: saves made through REST web services (the connector's own writes)
 * and saves by the integration user (custscript_mlc_integration_user) are
 * not pushed.  The deployments exclude RESTWEBSERVICES as well
 * (Objects/customscript_mlc_push.xml); the check here holds when someone
 * widens a deployment.
 */
define(['N/https', 'N/log', 'N/runtime'], (https, log, runtime) => {
	const URL_PARAM = 'custscript_mlc_push_url';
	const USER_PARAM = 'custscript_mlc_integration_user';
	const SECRET_ID = 'custsecret_mlc_webhook';
	const SECRET_HEADER = 'X-MLC-Webhook-Secret';
	const LOG_TITLE = 'ml-connector push';

	function restContext() {
		const types = runtime.ContextType || {};
		return types.REST_WEBSERVICES || 'RESTWEBSERVICES';
	}

	function isoDate(value) {
		/* not instanceof: a Date from another realm is a Date too */
		if (Object.prototype.toString.call(value) === '[object Date]' && !isNaN(value.getTime()))
			return value.toISOString();
		return null;
	}

	/* The record's last modification, or the push time when the record
	 * does not carry one (xedit of other fields).  A delete always takes
	 * the push time: the connector dedupes on recordType:id:date, and the
	 * deleted record's date is the one its last edit was pushed with. */
	function lastModified(rec, event, now) {
		if (event === 'delete')
			return now;
		try {
			return isoDate(rec.getValue({ fieldId: 'lastmodifieddate' })) || now;
		} catch (e) {
			return now;
		}
	}

	function recordId(rec) {
		const n = Number(rec.id);
		return Number.isSafeInteger(n) && n > 0 ? n : String(rec.id);
	}

	function userId(user) {
		const n = Number(user && user.id);
		return Number.isSafeInteger(n) ? n : null;
	}

	/* The push body for one save, or null when the save is the
	 * connector's own and must not echo. */
	function pushBody(context, now) {
		const rec = context.newRecord || context.oldRecord;
		const ctx = runtime.executionContext;
		const user = userId(runtime.getCurrentUser());
		const own = runtime.getCurrentScript().getParameter({ name: USER_PARAM });

		if (!rec || ctx === restContext())
			return null;
		if (own !== null && own !== undefined && own !== '' && user !== null &&
		    String(own) === String(user))
			return null;
		return {
			recordType: rec.type,
			id: recordId(rec),
			event: context.type,
			lastModifiedDate: lastModified(rec, context.type, now),
			user: user,
			executionContext: ctx,
			account: runtime.accountId,
			timestamp: now,
		};
	}

	function describe(e) {
		if (e && e.name && e.message)
			return e.name + ': ' + e.message;
		return String(e && e.message ? e.message : e);
	}

	function push(context) {
		const url = runtime.getCurrentScript().getParameter({ name: URL_PARAM });
		const body = pushBody(context, new Date().toISOString());
		let response;

		if (!body)
			return;
		if (!url) {
			log.error({ title: LOG_TITLE, details: 'script parameter ' + URL_PARAM + ' is empty' });
			return;
		}
		response = https.post({
			url: url,
			body: JSON.stringify(body),
			headers: {
				'Content-Type': 'application/json',
				[SECRET_HEADER]: https.createSecureString({ input: '{' + SECRET_ID + '}' }),
			},
		});
		if (!response || response.code < 200 || response.code > 299)
			log.error({
				title: LOG_TITLE,
				details: body.recordType + ' ' + body.id + ': the connector answered ' +
					 (response ? response.code : 'nothing'),
			});
	}

	function afterSubmit(context) {
		try {
			push(context);
		} catch (e) {
			log.error({ title: LOG_TITLE, details: describe(e) });
		}
	}

	return { afterSubmit: afterSubmit };
});
