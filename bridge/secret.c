// SPDX-License-Identifier: GPL-2.0
/*
 * secret.c - read secret files, refusing any that others can read.
 */
#define _GNU_SOURCE
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hex.h"

/*
 * Opens PATH (relative to DIRFD) and checks that it is a regular file
 * without permissions for others. Group access is allowed: the packaged
 * service reads its secrets through a "root:sesame 0640" file. FLAGS adds
 * open flags. Messages call the file LABEL, or PATH when LABEL is NULL.
 * Returns an fd, or -1 with WHY filled (errno ENOENT when it is missing).
 */
static int open_private_at(int dirfd, const char *path, int flags, const char *label,
			   char *why, size_t whylen)
{
	struct stat st;
	int fd, err;

	if (!label)
		label = path;
	/* O_NONBLOCK: a FIFO is refused at once, not waited on. */
	fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | flags);
	if (fd < 0) {
		err = errno;
		snprintf(why, whylen, "cannot open %s: %s", label,
			 err == ELOOP ? "it is a symbolic link" : strerror(err));
		errno = err;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "cannot stat %s: %s", label, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s is not a regular file (%s)", label,
			 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" :
			 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
			 S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
		goto fail;
	}
	if (st.st_mode & S_IRWXO) {
		snprintf(why, whylen,
			 "%s is accessible by others (mode %04o): run chmod o-rwx %s",
			 label, (unsigned int)(st.st_mode & 07777), label == path ? path : "on it");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	errno = EACCES;
	return -1;
}

static int open_private(const char *path, char *why, size_t whylen)
{
	return open_private_at(AT_FDCWD, path, 0, NULL, why, whylen);
}

/* Reads all of FD into BUF (NUL-terminated); -1 if it does not fit. */
static ssize_t read_small(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == size - 1) {
			char extra;

			if (read(fd, &extra, 1) != 0) {
				errno = EFBIG;
				return -1;
			}
			break;
		}
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

/* The secret is the first line; only an empty line ending may follow it. */
static int one_line(char *buf, size_t n)
{
	size_t len = strcspn(buf, "\r\n");

	if (len == 0)
		return -1;
	if (len < n && strspn(buf + len, "\r\n") != n - len)
		return -1;
	buf[len] = '\0';
	return 0;
}

static int read_password(const char *path, char *password, char *why,
			 size_t whylen)
{
	char buf[SECRET_PASSWORD_MAX + 2];
	ssize_t n;
	int fd;

	fd = open_private(path, why, whylen);
	if (fd < 0)
		return -1;
	n = read_small(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		snprintf(why, whylen, "cannot read %s: %s", path,
			 errno == EFBIG ? "longer than 256 bytes" : strerror(errno));
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	if (strlen(buf) != (size_t)n || one_line(buf, (size_t)n)) {
		snprintf(why, whylen, "%s must hold the password on one line", path);
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	if (strlen(buf) >= SECRET_PASSWORD_MAX) {
		snprintf(why, whylen, "%s: the password is longer than %d bytes",
			 path, SECRET_PASSWORD_MAX - 1);
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	memcpy(password, buf, strlen(buf) + 1);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* The HMAC key in FD: one line of hex. LABEL names the file in messages. */
static int read_hmac_key_fd(int fd, const char *label, unsigned char *key,
			    size_t *len, char *why, size_t whylen)
{
	char buf[2 * SECRET_KEY_MAX + 4];
	ssize_t n;
	size_t hexlen;
	int rc = -1;

	n = read_small(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		snprintf(why, whylen, "cannot read %s: %s", label,
			 errno == EFBIG ? "too long for a key" : strerror(errno));
		goto out;
	}
	if (strlen(buf) != (size_t)n || one_line(buf, (size_t)n)) {
		snprintf(why, whylen, "%s must hold the key as one line of hex", label);
		goto out;
	}
	hexlen = strlen(buf);
	if (!hex_is_digits(buf, hexlen) || hexlen % 2) {
		snprintf(why, whylen, "%s must hold the key as one line of hex digits", label);
		goto out;
	}
	if (hexlen < 2 * SECRET_KEY_MIN || hexlen > 2 * SECRET_KEY_MAX) {
		snprintf(why, whylen, "%s holds %zu bytes; a key has %d to %d",
			 label, hexlen / 2, SECRET_KEY_MIN, SECRET_KEY_MAX);
		goto out;
	}
	hex_decode(buf, hexlen, key);
	*len = hexlen / 2;
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

int secret_read_hmac_key(const char *path, unsigned char *key, size_t *len,
			 char *why, size_t whylen)
{
	int fd = open_private(path, why, whylen);

	if (fd < 0)
		return -1;
	return read_hmac_key_fd(fd, path, key, len, why, whylen);
}

int secret_read_hmac_key_at(int dirfd, const char *name, unsigned char *key,
			    size_t *len, char *why, size_t whylen)
{
	char label[64];
	int fd;

	snprintf(label, sizeof(label), "the key file of %.32s", name);
	/* Not through a link: the file itself must be the opener's. */
	fd = open_private_at(dirfd, name, O_NOFOLLOW, label, why, whylen);
	if (fd < 0 && errno == ENOENT) {
		snprintf(why, whylen, "no key for opener %.32s: revoked, or never enrolled",
			 name);
		return -2;
	}
	if (fd < 0)
		return -1;
	return read_hmac_key_fd(fd, label, key, len, why, whylen);
}

/* The PEM text of the TLS client key, for OpenSSL to parse from memory. */
static int read_tls_key(const char *path, struct secrets *sec, char *why,
			size_t whylen)
{
	ssize_t n;
	int fd;

	fd = open_private(path, why, whylen);
	if (fd < 0)
		return -1;
	n = read_small(fd, sec->tls_key, sizeof(sec->tls_key));
	close(fd);
	if (n <= 0) {
		snprintf(why, whylen, "cannot read %s: %s", path,
			 n == 0 ? "it is empty" :
			 errno == EFBIG ? "too long for a key" : strerror(errno));
		secrets_wipe_tls_key(sec);
		return -1;
	}
	sec->tls_key_len = (size_t)n;
	return 0;
}

int secrets_load(const struct config *cfg, const char *file,
		 struct secrets *sec, char *err, size_t errlen)
{
	char where[CONFIG_PATH_MAX + 16], why[2 * CONFIG_PATH_MAX + 128];

	memset(sec, 0, sizeof(*sec));
	if (cfg->password_file[0] &&
	    read_password(cfg->password_file, sec->password, why, sizeof(why))) {
		snprintf(err, errlen, "%s: password_file: %s",
			 config_where(cfg, KEY_PASSWORD_FILE, file, where, sizeof(where)), why);
		return -1;
	}
	if (cfg->keyfile[0] && read_tls_key(cfg->keyfile, sec, why, sizeof(why))) {
		snprintf(err, errlen, "%s: keyfile: %s",
			 config_where(cfg, KEY_KEYFILE, file, where, sizeof(where)), why);
		secrets_wipe(sec);
		return -1;
	}
	if (cfg->hmac_key_file[0] &&
	    secret_read_hmac_key(cfg->hmac_key_file, sec->hmac_key, &sec->hmac_key_len,
				 why, sizeof(why))) {
		snprintf(err, errlen, "%s: hmac_key_file: %s",
			 config_where(cfg, KEY_HMAC_KEY_FILE, file, where, sizeof(where)), why);
		secrets_wipe(sec);
		return -1;
	}
	return 0;
}

void secrets_wipe_tls_key(struct secrets *sec)
{
	explicit_bzero(sec->tls_key, sizeof(sec->tls_key));
	sec->tls_key_len = 0;
}

void secrets_wipe(struct secrets *sec)
{
	explicit_bzero(sec, sizeof(*sec));
}
