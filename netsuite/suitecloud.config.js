/*
 * SuiteCloud CLI configuration for the ml-connector account customization
 * project: the project lives in src/ (manifest.xml, deploy.xml, Objects/,
 * FileCabinet/), as in Oracle's samples (docs/reference/netsuite.md,
 * "Verified facts for the NetSuite side").  Deploy with
 *   suitecloud account:setup        (once, to pick the account)
 *   suitecloud project:deploy
 * See docs/netsuite-setup.md.
 */
module.exports = {
	defaultProjectFolder: 'src',
	commands: {},
};
