// SPDX-License-Identifier: GPL-2.0
/*
 * tls.c - the TLS client context (see tls.h).
 */
#include "tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

/* A passphrase-protected key would make OpenSSL prompt on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *userdata)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)userdata;
	return -1;
}

/* Records the first alert of a handshake: our verdict, or the broker's. */
static void tls_info(const SSL *ssl, int where, int ret)
{
	char *reason = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	long vr;

	if (!reason || !(where & SSL_CB_ALERT) || reason[0])
		return;
	if (where & SSL_CB_READ) {
		/* TLS 1.3's certificate_required (116) is unnamed in OpenSSL 3.0. */
		snprintf(reason, TLS_REASON_MAX, "TLS: the broker sent the alert \"%s\"",
			 (ret & 0xff) == 116 ? "certificate required" :
			 SSL_alert_desc_string_long(ret));
		return;
	}
	vr = SSL_get_verify_result(ssl);
	if (vr != X509_V_OK)
		snprintf(reason, TLS_REASON_MAX, "TLS: server certificate rejected: %s",
			 X509_verify_cert_error_string(vr));
	else
		snprintf(reason, TLS_REASON_MAX, "TLS: sent the alert \"%s\"",
			 SSL_alert_desc_string_long(ret));
}

static void ssl_error(char *err, size_t errlen, const char *what, const char *file)
{
	char buf[256];
	unsigned long e = ERR_peek_last_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s %s: %s", what, file, e ? buf : "failed");
	ERR_clear_error();
}

SSL_CTX *tls_context(const struct config *cfg, char *reason, char *err,
		     size_t errlen)
{
	unsigned char addr[16];
	X509_VERIFY_PARAM *param;
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, strcmp(cfg->tls_version, "tlsv1.3") ?
					   TLS1_2_VERSION : TLS1_3_VERSION)) {
		snprintf(err, errlen, "tls_version %s is not supported", cfg->tls_version);
		goto fail;
	}
	if (!SSL_CTX_load_verify_locations(ctx, cfg->cafile[0] ? cfg->cafile : NULL,
					   cfg->capath[0] ? cfg->capath : NULL)) {
		ssl_error(err, errlen, "cannot load the CA certificates from",
			  cfg->cafile[0] ? cfg->cafile : cfg->capath);
		goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	param = SSL_CTX_get0_param(ctx);
	if (inet_pton(AF_INET, cfg->host, addr) == 1 ||
	    inet_pton(AF_INET6, cfg->host, addr) == 1) {
		if (!X509_VERIFY_PARAM_set1_ip_asc(param, cfg->host))
			goto host_fail;
	} else {
		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (!X509_VERIFY_PARAM_set1_host(param, cfg->host, 0))
			goto host_fail;
	}
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	if (cfg->certfile[0]) {
		if (!SSL_CTX_use_certificate_chain_file(ctx, cfg->certfile)) {
			ssl_error(err, errlen, "cannot load the certificate", cfg->certfile);
			goto fail;
		}
		if (!SSL_CTX_use_PrivateKey_file(ctx, cfg->keyfile, SSL_FILETYPE_PEM)) {
			ssl_error(err, errlen, "cannot load the key (it must not need a passphrase)",
				  cfg->keyfile);
			goto fail;
		}
		if (!SSL_CTX_check_private_key(ctx)) {
			snprintf(err, errlen, "keyfile %s does not match certfile %s",
				 cfg->keyfile, cfg->certfile);
			goto fail;
		}
	}
	SSL_CTX_set_app_data(ctx, reason);
	SSL_CTX_set_info_callback(ctx, tls_info);
	return ctx;

host_fail:
	snprintf(err, errlen, "host %s cannot be checked against certificates", cfg->host);
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
