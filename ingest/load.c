/*
 * load.c: loading an input file whole and deciding its text encoding.
 *
 * Regular UTF-8 files are mapped with mmap (no copy); a UTF-8 BOM is skipped;
 * text that is not valid UTF-8 is converted from CP932 (what Excel in Japan
 * writes) with iconv, or converted because --encoding cp932 says so. Text
 * that is neither is read as UTF-8 and the rows with bad bytes are rejected.
 */
#include "ingest_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Offset of the first byte that is not valid UTF-8, or len when all is. */
size_t ws_utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (i + 8 <= len) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) == 0) {
				i += 8;
				continue;
			}
		}
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			k = 2, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			k = 3, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			k = 4, cp = c & 0x07;
		else
			return i;
		if (i + k > len)
			return i;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += k;
	}
	return len;
}

/* Line and byte column (1-based) of offset off in s. */
static void position(const char *s, size_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = 1;
	size_t b = 0;

	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n') {
			l++;
			b = i + 1;
		}
	*line = l;
	*col = (uint32_t)(off - b + 1);
}

/* Converts CP932 to UTF-8 with iconv. *out is malloc'd; caller frees. */
static int from_cp932(const char *in, size_t len, char **out, size_t *olen, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	size_t cap = len * 3 + 16, il = len, ol = cap;
	char *ip = (char *)in, *buf, *op;

	if (cd == (iconv_t)-1)
		return WS_EUSAGE;
	buf = malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return WS_ENOMEM;
	}
	op = buf;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		*bad = (size_t)(ip - in);
		free(buf);
		iconv_close(cd);
		return WS_EPARSE;
	}
	iconv_close(cd);
	*out = buf;
	*olen = (size_t)(op - buf);
	return WS_OK;
}

void ws_text_free(struct text *x)
{
	if (x->map)
		munmap(x->map, x->maplen);
	free(x->owned);
	memset(x, 0, sizeof(*x));
}

int ws_text_load(const char *path, const char *encoding, struct text *x, int *check_utf8,
		struct ws_err *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	int cp932;

	memset(x, 0, sizeof(*x));
	*check_utf8 = 0;
	if (fd < 0)
		return ws_err_set(err, WS_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno;

		close(fd);
		return ws_err_set(err, WS_EIO, "%s: cannot read: %s", path, strerror(e));
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		x->maplen = (size_t)st.st_size;
		x->map = mmap(NULL, x->maplen, PROT_READ, MAP_PRIVATE, fd, 0);
		if (x->map == MAP_FAILED) {
			x->map = NULL;
		} else {
			madvise(x->map, x->maplen, MADV_SEQUENTIAL);
			x->data = x->map;
			x->len = x->maplen;
		}
	}
	if (!x->map) { /* a pipe, an empty file, or mmap refused: read it */
		size_t cap = 1 << 20;
		ssize_t r;

		int oom = 0;

		x->owned = malloc(cap);
		oom = !x->owned;
		while (!oom && (r = read(fd, x->owned + x->len, cap - x->len)) != 0) {
			if (r < 0) {
				int e = errno;

				close(fd);
				ws_text_free(x);
				return ws_err_set(err, WS_EIO, "%s: read error: %s", path, strerror(e));
			}
			x->len += (size_t)r;
			if (x->len == cap) {
				char *p = realloc(x->owned, cap * 2);

				if (!p) {
					oom = 1; /* never a silently truncated input */
					break;
				}
				x->owned = p;
				cap *= 2;
			}
		}
		if (oom) {
			close(fd);
			ws_text_free(x);
			return ws_err_set(err, WS_ENOMEM, "%s: out of memory", path);
		}
		x->data = x->owned;
	}
	close(fd);

	if (x->len >= 3 && memcmp(x->data, "\xEF\xBB\xBF", 3) == 0) {
		x->data += 3;
		x->len -= 3;
		cp932 = encoding && strcmp(encoding, "cp932") == 0;
	} else if (encoding && strcmp(encoding, WS_ENC_RETRY) == 0) {
		cp932 = 1; /* UTF-8 did not hold: CP932, or else UTF-8 with the bad rows rejected */
		encoding = NULL;
	} else if (encoding) {
		cp932 = strcmp(encoding, "cp932") == 0;
	} else {
		/* undecided: the reader checks each new string as it interns it and
		 * asks for WS_ENC_RETRY at the first that is not UTF-8; no pass over
		 * the whole file before parsing */
		*check_utf8 = -1;
		return WS_OK;
	}
	if (!cp932) { /* declared UTF-8 (BOM, --encoding utf-8): damaged rows are rejected */
		*check_utf8 = ws_utf8_invalid_at((const unsigned char *)x->data, x->len) != x->len
				      ? 2 : 0;
		return WS_OK;
	}
	if (cp932) {
		char *u;
		size_t ul, bad = 0;
		int rc = from_cp932(x->data, x->len, &u, &ul, &bad);

		if (rc == WS_OK) {
			void *m = x->map;
			size_t ml = x->maplen;

			if (m)
				munmap(m, ml);
			free(x->owned);
			x->map = NULL;
			x->owned = x->data = u;
			x->len = ul;
			return WS_OK;
		}
		if (rc == WS_ENOMEM) {
			ws_text_free(x);
			return ws_err_set(err, WS_ENOMEM, "%s: out of memory", path);
		}
		if (encoding && strcmp(encoding, "cp932") == 0) {
			uint32_t l, c;

			position(x->data, bad, &l, &c);
			ws_err_set(err, WS_EPARSE, "%s:%u: not CP932 text, byte 0x%02X at byte %u of the line",
				   path, l, (unsigned char)x->data[bad], c);
			ws_text_free(x);
			return WS_EPARSE;
		}
		/* neither encoding holds for the whole file: read it as UTF-8 and
		 * reject the rows that carry the damaged bytes */
		*check_utf8 = 1;
	}
	return WS_OK;
}

