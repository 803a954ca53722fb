/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tls.h - the bridge's TLS client context, made with OpenSSL and handed to
 * libmosquitto whole (MOSQ_OPT_SSL_CTX without its defaults).
 *
 * Doing it here rather than through mosquitto_tls_set() buys three things:
 * OpenSSL's own host name check (X509_VERIFY_PARAM_set1_host, where
 * libmosquitto 2.0.11 has a hand-made one); bad CA, certificate or key
 * files found at startup (and by --check), not at each connection; and the
 * reason a handshake failed ("certificate has expired", "hostname
 * mismatch"), which libmosquitto reports only as "A TLS error occurred";
 * and the private key handed over from memory, so that the key file is
 * opened once, by the code that checked it.
 */
#ifndef SESAME_TLS_H
#define SESAME_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>

#include "config.h"
#include "secret.h"

#define TLS_REASON_MAX 256

/*
 * Builds the context: CA file and/or directory, minimum TLS version,
 * peer verification against the first broker of the host list (see
 * tls_expect_host()), and the
 * client certificate if any, with its key from SEC (never read again from
 * the file). REASON (TLS_REASON_MAX bytes, must outlive the context)
 * receives why the latest handshake failed. Returns NULL with a message
 * in ERR.
 */
SSL_CTX *tls_context(const struct config *cfg, const struct secrets *sec,
		     char *reason, char *err, size_t errlen);

/*
 * The broker the next connection goes to: its certificate must name HOST
 * (a host name, or an IP address) in its subjectAltName, never only in
 * its Common Name. Each broker of a list is checked against its own name.
 * Returns 0, or -1 with a message in ERR.
 */
int tls_expect_host(SSL_CTX *ctx, const char *host, char *err, size_t errlen);

#endif
