// SPDX-License-Identifier: GPL-2.0
/*
 * tls.c - the TLS client context (see tls.h).
 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

/*
 * OpenSSL says only "hostname mismatch" for a certificate that names its
 * host in the Common Name alone; say why such a certificate is refused.
 */
static int verify_peer(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	X509 *cert = X509_STORE_CTX_get_current_cert(store);
	char *reason = ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;
	GENERAL_NAMES *names;

	if (ok || !reason || reason[0] || !cert ||
	    X509_STORE_CTX_get_error(store) != X509_V_ERR_HOSTNAME_MISMATCH)
		return ok;
	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (names) {
		GENERAL_NAMES_free(names);
		return ok;
	}
	snprintf(reason, TLS_REASON_MAX,
		 "TLS: server certificate rejected: it has no subjectAltName, and the broker's "
		 "name is checked only there (never in the Common Name, as browsers do); "
		 "reissue it with subjectAltName=DNS:<host>");
	return ok;
}

static void ssl_error(char *err, size_t errlen, const char *what, const char *file)
{
	char buf[256];
	unsigned long e = ERR_peek_last_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s %s: %s", what, file, e ? buf : "failed");
	ERR_clear_error();
}

/* OpenSSL would wait on a FIFO forever: only regular files (or, for a
 * CA path, a directory) are read. */
static bool unusable(const char *path, bool dir_ok, char *err, size_t errlen,
		     const char *key)
{
	struct stat st;

	if (!path[0])
		return false;
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s %s: %s", key, path, strerror(errno));
		return true;
	}
	if (S_ISREG(st.st_mode) || (dir_ok && S_ISDIR(st.st_mode)))
		return false;
	snprintf(err, errlen, "%s %s: not a regular file", key, path);
	return true;
}

static int use_key(SSL_CTX *ctx, const struct config *cfg,
		   const struct secrets *sec, char *err, size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio;
	int ok;

	bio = BIO_new_mem_buf(sec->tls_key, (int)sec->tls_key_len);
	if (bio)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!pkey) {
		ssl_error(err, errlen, "cannot load the key (a PEM key without a passphrase)",
			  cfg->keyfile);
		return -1;
	}
	ok = SSL_CTX_use_PrivateKey(ctx, pkey);
	EVP_PKEY_free(pkey);
	if (!ok) {
		ssl_error(err, errlen, "cannot use the key", cfg->keyfile);
		return -1;
	}
	return 0;
}

int tls_expect_host(SSL_CTX *ctx, const char *host, char *err, size_t errlen)
{
	X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);
	unsigned char addr[16];

	if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1) {
		/* set1_host(NULL) forgets the name of another broker of the list */
		if (X509_VERIFY_PARAM_set1_host(param, NULL, 0) &&
		    X509_VERIFY_PARAM_set1_ip_asc(param, host))
			return 0;
	} else {
		/* subjectAltName only: OpenSSL would fall back to the CN. */
		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
						X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
		if (X509_VERIFY_PARAM_set1_ip(param, NULL, 0) &&
		    X509_VERIFY_PARAM_set1_host(param, host, 0))
			return 0;
	}
	snprintf(err, errlen, "host %s cannot be checked against certificates", host);
	return -1;
}

SSL_CTX *tls_context(const struct config *cfg, const struct secrets *sec,
		     char *reason, char *err, size_t errlen)
{
	unsigned int i;
	SSL_CTX *ctx;

	if (unusable(cfg->cafile, false, err, errlen, "cafile") ||
	    unusable(cfg->capath, true, err, errlen, "capath") ||
	    unusable(cfg->certfile, false, err, errlen, "certfile"))
		return NULL;

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
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_peer);
	for (i = 0; i < cfg->brokers; i++)
		if (tls_expect_host(ctx, cfg->broker[i].name, err, errlen))
			goto fail;
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	if (cfg->certfile[0]) {
		if (!SSL_CTX_use_certificate_chain_file(ctx, cfg->certfile)) {
			ssl_error(err, errlen, "cannot load the certificate", cfg->certfile);
			goto fail;
		}
		if (use_key(ctx, cfg, sec, err, errlen))
			goto fail;
		if (!SSL_CTX_check_private_key(ctx)) {
			snprintf(err, errlen, "keyfile %s does not match certfile %s",
				 cfg->keyfile, cfg->certfile);
			goto fail;
		}
	}
	SSL_CTX_set_app_data(ctx, reason);
	SSL_CTX_set_info_callback(ctx, tls_info);
	return ctx;

fail:
	SSL_CTX_free(ctx);
	return NULL;
}
