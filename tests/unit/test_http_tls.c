#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/http_client.h"
#include "util/log.h"
#include "util/banned.h"

/*
 * TLS verification of the client against an HTTPS server on 127.0.0.1
 * with a self-signed certificate made here (subjectAltName IP:127.0.0.1):
 * refused without the CA, accepted with it as ca_file, refused again for
 * a name the certificate does not carry.
 */
struct tls_fixture {
	struct MHD_Daemon *d;
	int port;
	char *key_pem, *cert_pem;
	char ca_path[64];
};

static char *bio_text(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *out = malloc((size_t)n + 1);

	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	return out;
}

static void make_cert(struct tls_fixture *f)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	BIO *b;

	assert_non_null(key);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"127.0.0.1", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	f->key_pem = bio_text(b);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	f->cert_pem = bio_text(b);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(key);
}

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *size, void **con_cls)
{
	static const char body[] = "{\"tls\":true}";
	struct MHD_Response *r;
	enum MHD_Result ret;

	MLC_UNUSED(cls);
	MLC_UNUSED(url);
	MLC_UNUSED(method);
	MLC_UNUSED(version);
	MLC_UNUSED(data);
	MLC_UNUSED(size);
	MLC_UNUSED(con_cls);
	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static int setup(void **state)
{
	struct tls_fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_in sin;
	FILE *fp;
	int fd;

	make_cert(f);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL,
				on_req, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				MHD_OPTION_HTTPS_MEM_KEY, f->key_pem, MHD_OPTION_HTTPS_MEM_CERT,
				f->cert_pem, MHD_OPTION_END);
	assert_non_null(f->d);
	f->port = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT)->port;
	snprintf(f->ca_path, sizeof(f->ca_path), "/tmp/mlc-test-ca-XXXXXX");
	fd = mkstemp(f->ca_path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(f->cert_pem, fp);
	fclose(fp);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct tls_fixture *f = *state;

	MHD_stop_daemon(f->d);
	unlink(f->ca_path);
	free(f->key_pem);
	free(f->cert_pem);
	free(f);
	return 0;
}

static int get(struct tls_fixture *f, const char *host, const char *ca_file,
	       struct mlc_http_resp *resp, struct mlc_error *err)
{
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_req req;
	char base[64];
	int rc;

	snprintf(base, sizeof(base), "https://%s:%d", host, f->port);
	o.name = "tls";
	o.base_url = base;
	o.ca_file = ca_file;
	o.backoff_base_ms = 10;
	assert_int_equal(http_upstream_new(&o, &up, err), 0);
	http_req_init(&req, "GET", "/x");
	rc = http_upstream_send(up, &req, resp, err);
	http_req_release(&req);
	http_upstream_free(up);
	return rc;
}

static void test_verify(void **state)
{
	struct tls_fixture *f = *state;
	struct mlc_http_resp resp;
	struct mlc_error err;

	http_resp_init(&resp);
	/* an unknown issuer is refused, and not retried */
	assert_int_equal(get(f, "127.0.0.1", NULL, &resp, &err), MLC_EPERM);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(resp.status, 0);
	/* trusted through ca_file */
	assert_int_equal(get(f, "127.0.0.1", f->ca_path, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body.data, "{\"tls\":true}");
	/* a name the certificate does not carry is refused */
	assert_int_equal(get(f, "localhost", f->ca_path, &resp, &err), MLC_EPERM);
	http_resp_release(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
	};

	log_setup(MLC_LOG_ERROR, MLC_LOG_LOGFMT, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
