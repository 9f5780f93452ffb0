/*
 * cells.c: the cell rules of the data contract (FORMATS.md §1c, §1a).
 *
 * Numbers as people type them into target sheets: full-width digits and
 * signs, thousands commas, a trailing % or unit word, △/▲ for negatives,
 * several dashes for "missing". Fiscal years in Western, FY and era forms.
 * Anything else is refused, never guessed at: `妊カフェ93.0%` is not a number.
 *
 * Every function works on (pointer, length) and never allocates.
 */
#include "ingest_internal.h"

#include <stdio.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the UTF-8 sequence at s (n bytes left); *cp gets the code point.
 * Returns its length, or 0 when the bytes are not a valid sequence. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	if ((s[0] & 0xF8) == 0xF0 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		      ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	}
	return 0;
}

size_t ws_ingest_fold(const char *s, size_t len, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	if (cap == 0)
		return 0;
	while (i < len && o + 1 < cap) {
		uint32_t cp;
		size_t k = utf8_next(u + i, len - i, &cp);

		if (k == 0) { /* not UTF-8: copy the byte, callers will refuse it */
			out[o++] = s[i++];
			continue;
		}
		if (cp >= 0xFF01 && cp <= 0xFF5E) {
			out[o++] = (char)(cp - 0xFF01 + 0x21);
		} else if (cp == 0x3000 || cp == '\t') {
			out[o++] = ' ';
		} else if (cp == 0xFF65) { /* half-width ･ folds to the ・ of 補足・参考指標 */
			if (o + 3 >= cap)
				break;
			memcpy(out + o, "\xE3\x83\xBB", 3);
			o += 3;
		} else {
			if (o + k >= cap)
				break;
			memcpy(out + o, s + i, k);
			o += k;
		}
		i += k;
	}
	out[o] = '\0';
	/* trim spaces at both ends */
	size_t b = 0;
	while (b < o && out[b] == ' ')
		b++;
	while (o > b && out[o - 1] == ' ')
		o--;
	if (b)
		memmove(out, out + b, o - b);
	out[o - b] = '\0';
	return o - b;
}

/* True when s starts with the UTF-8 text lit; advances *s past it. */
static int eat(const char **s, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *s) >= n && memcmp(*s, lit, n) == 0) {
		*s += n;
		return 1;
	}
	return 0;
}

static int is_missing(const char *f, size_t n)
{
	static const char *const marks[] = {"-", "\u2015", "\u2014", "\u2010", "\u30FC", "N/A",
					    "n/a", "\u2212"};

	if (n == 0)
		return 1;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strlen(marks[i]) == n && memcmp(marks[i], f, n) == 0)
			return 1;
	return 0;
}

/* 10^k for the exact fast path (Clinger): every k <= 22 is exact in a double. */
static const double exact10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
 * The common cell, plain ASCII `-?digits[.digits]` of at most 15 digits:
 * mantissa m < 2^53 and scale k <= 22, so m / 10^k is one correctly rounded
 * division, the same double strtod gives. Returns 0 when the cell is not of
 * that shape (the general path takes it).
 */
static int plain_number(const char *s, size_t len, double *out)
{
	uint64_t m = 0;
	size_t i = 0;
	int neg = 0, nd = 0, frac = -1;

	if (len == 0 || len > 17)
		return 0;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			m = m * 10 + (uint64_t)(c - '0');
			nd++;
			if (frac >= 0)
				frac++;
		} else if (c == '.' && frac < 0) {
			frac = 0;
		} else {
			return 0;
		}
	}
	if (nd == 0 || nd > 15 || frac == 0)
		return 0;
	double v = (double)m;

	if (frac > 0)
		v /= exact10[frac];
	*out = neg ? -v : v;
	return 1;
}

int ws_ingest_number(const char *s, size_t len, const char *unit, double *out)
{
	static const char *const words[] = {"回", "人", "件", "校", "台", "点", "本", "日"};
	char f[256], num[128], ufold[64];
	size_t n, k = 0;
	const char *p, *end;
	int neg = 0, digits = 0;

	if (plain_number(s, len, out))
		return WS_OK;
	if (len >= sizeof(f))
		return WS_EVALUE; /* no number is this long */
	n = ws_ingest_fold(s, len, f, sizeof(f));
	if (is_missing(f, n)) {
		*out = NAN;
		return WS_OK;
	}
	p = f;
	end = f + n;
	if (eat(&p, end, "-") || eat(&p, end, "\u25B3") || eat(&p, end, "\u25B2") ||
	    eat(&p, end, "\u2212"))
		neg = 1;
	else
		eat(&p, end, "+");
	if (neg)
		num[k++] = '-';
	/* integer part: digits with optional thousands groups 1,234,567 */
	{
		int group = 0, commas = 0;

		while (p < end && ((*p >= '0' && *p <= '9') || *p == ',')) {
			if (*p == ',') {
				if (group == 0 || group > 3 || (commas && group != 3))
					return WS_EVALUE;
				commas = 1;
				group = 0;
			} else {
				if (k >= sizeof(num) - 8)
					return WS_EVALUE;
				num[k++] = *p;
				group++;
				digits++;
			}
			p++;
		}
		if (commas && group != 3)
			return WS_EVALUE;
	}
	if (p < end && *p == '.') {
		num[k++] = *p++;
		while (p < end && *p >= '0' && *p <= '9') {
			if (k >= sizeof(num) - 8)
				return WS_EVALUE;
			num[k++] = *p++;
			digits++;
		}
	}
	if (!digits)
		return WS_EVALUE;
	if (p < end && (*p == 'e' || *p == 'E')) {
		num[k++] = *p++;
		if (p < end && (*p == '+' || *p == '-'))
			num[k++] = *p++;
		if (p == end || !(*p >= '0' && *p <= '9'))
			return WS_EVALUE;
		while (p < end && *p >= '0' && *p <= '9') {
			if (k >= sizeof(num) - 2)
				return WS_EVALUE;
			num[k++] = *p++;
		}
	}
	num[k] = '\0';
	/* suffix: optional spaces, then % or one unit word */
	while (p < end && *p == ' ')
		p++;
	if (p < end) {
		int ok = eat(&p, end, "%");

		for (size_t i = 0; !ok && i < sizeof(words) / sizeof(words[0]); i++)
			ok = eat(&p, end, words[i]);
		if (!ok && unit && *unit) {
			size_t ul = ws_ingest_fold(unit, strlen(unit), ufold, sizeof(ufold));

			ok = ul > 0 && eat(&p, end, ufold);
		}
		if (!ok || p != end)
			return WS_EVALUE;
	}
	errno = 0;
	double v = strtod(num, NULL);
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
		return WS_EVALUE;
	*out = v;
	return WS_OK;
}

/* Reads an unsigned decimal of 1..4 digits at *p; -1 when none. */
static int read_uint(const char **p, const char *end)
{
	int v = 0, d = 0;

	while (*p < end && **p >= '0' && **p <= '9' && d < 5) {
		v = v * 10 + (**p - '0');
		(*p)++;
		d++;
	}
	return d ? v : -1;
}

int ws_ingest_year(const char *s, size_t len, int *year)
{
	if (len == 4 && s[0] >= '1' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
	    s[2] <= '9' && s[3] >= '0' && s[3] <= '9') { /* the common cell: 2022 */
		int v = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');

		if (v < 1900 || v > 2200)
			return WS_EVALUE;
		*year = v;
		return WS_OK;
	}
	char f[64];
	size_t n;
	const char *p, *end;
	int base = 0, v;

	if (len >= sizeof(f))
		return WS_EVALUE;
	n = ws_ingest_fold(s, len, f, sizeof(f));
	p = f;
	end = f + n;
	if (eat(&p, end, "令和") || eat(&p, end, "R") || eat(&p, end, "r"))
		base = 2018;
	else if (eat(&p, end, "平成") || eat(&p, end, "H") || eat(&p, end, "h"))
		base = 1988;
	else if (eat(&p, end, "昭和") || eat(&p, end, "S") || eat(&p, end, "s"))
		base = 1925;
	else if (!eat(&p, end, "FY") && !eat(&p, end, "fy"))
		eat(&p, end, "Fy");
	while (p < end && *p == ' ')
		p++;
	if (base && eat(&p, end, "元"))
		v = 1;
	else
		v = read_uint(&p, end);
	if (v < 0)
		return WS_EVALUE;
	while (p < end && *p == ' ')
		p++;
	if (!eat(&p, end, "年度"))
		eat(&p, end, "年");
	if (p != end)
		return WS_EVALUE;
	if (base) {
		if (v < 1 || v > 99)
			return WS_EVALUE;
		v += base;
	}
	if (v < 1900 || v > 2200)
		return WS_EVALUE;
	*year = v;
	return WS_OK;
}

/* Case-insensitive comparison of folded f[0..n) with an ASCII word. */
static int word_is(const char *f, size_t n, const char *w)
{
	size_t m = strlen(w);

	if (n != m)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = f[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return 0;
	}
	return 1;
}

int ws_ingest_direction(const char *s, size_t len, int *dir)
{
	if (len == 6 && memcmp(s, "higher", 6) == 0) { /* the common cells first */
		*dir = WS_DIR_HIGHER;
		return WS_OK;
	}
	if (len == 5 && memcmp(s, "lower", 5) == 0) {
		*dir = WS_DIR_LOWER;
		return WS_OK;
	}
	char f[64];
	size_t n;

	if (len >= sizeof(f))
		return WS_EVALUE;
	n = ws_ingest_fold(s, len, f, sizeof(f));
	if (n == 0)
		*dir = WS_DIR_UNSET;
	else if (word_is(f, n, "higher") || word_is(f, n, "up") || strcmp(f, "増加") == 0)
		*dir = WS_DIR_HIGHER;
	else if (word_is(f, n, "lower") || word_is(f, n, "down") || strcmp(f, "減少") == 0)
		*dir = WS_DIR_LOWER;
	else
		return WS_EVALUE;
	return WS_OK;
}

int ws_ingest_evaluation(const char *s, size_t len, int *eval)
{
	if (len == 0) {
		*eval = WS_EVAL_NONE;
		return WS_OK;
	}
	char f[64];
	size_t n;

	if (len >= sizeof(f))
		return WS_EVALUE;
	n = ws_ingest_fold(s, len, f, sizeof(f));
	if (n == 0)
		*eval = WS_EVAL_NONE;
	else if (strcmp(f, "達成") == 0)
		*eval = WS_EVAL_MET;
	else if (strcmp(f, "一部未達成") == 0)
		*eval = WS_EVAL_PARTIAL;
	else if (strcmp(f, "未達成") == 0)
		*eval = WS_EVAL_MISSED;
	else
		return WS_EVALUE;
	return WS_OK;
}

/* ---- cell text in messages ----------------------------------------------- */

/*
 * Copies up to 80 bytes of cell into q (cap >= 330) for a message: bytes
 * below 0x20, DEL and bytes that are not UTF-8 become \xHH, so a message stays
 * one printable line; "..." marks a cut. Returns q.
 */
const char *ws_ingest_quote(const char *cell, size_t n, char *q, size_t cap)
{
	const unsigned char *u = (const unsigned char *)cell;
	size_t i = 0, o = 0;

	while (i < n && i < 80 && o + 8 < cap) {
		size_t k = u[i] < 0x80 ? 1 : ws_utf8_invalid_at(u + i, n - i < 4 ? n - i : 4);

		if (u[i] >= 0x80 && k == 0) { /* not UTF-8 here */
			o += (size_t)snprintf(q + o, cap - o, "\\x%02X", u[i]);
			i++;
			continue;
		}
		if (u[i] >= 0x80) { /* one whole sequence, never cut in two */
			k = (u[i] & 0xE0) == 0xC0 ? 2 : (u[i] & 0xF0) == 0xE0 ? 3 : 4;
			memcpy(q + o, cell + i, k);
			o += k;
			i += k;
		} else if (u[i] < 0x20 || u[i] == 0x7F) {
			o += (size_t)snprintf(q + o, cap - o, "\\x%02X", u[i++]);
		} else {
			q[o++] = cell[i++];
		}
	}
	if (i < n)
		o += (size_t)snprintf(q + o, cap - o, "...");
	q[o] = '\0';
	return q;
}

/*
 * The raw text of field col (1-based) of the record rec, quotes and all,
 * as the record scanner splits it; an empty string past the last field.
 */
const char *ws_ingest_raw_field(const char *rec, size_t len, char delim, size_t col, size_t *n)
{
	enum { START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } st = START;
	const char *s = rec, *end = rec + len, *b = s;
	size_t c = 1;

	for (; s < end; s++) {
		if (st == QUOTED) {
			if (*s == '"')
				st = QUOTE_IN_QUOTED;
		} else if (*s == delim) {
			if (c == col)
				break;
			c++;
			b = s + 1;
			st = START;
		} else if (*s == '"') {
			st = (st == START || st == QUOTE_IN_QUOTED) ? QUOTED : UNQUOTED;
		} else if (st == QUOTE_IN_QUOTED || (st == START && *s != ' ' && *s != '\t')) {
			st = UNQUOTED;
		}
	}
	if (c < col)
		b = s = end;
	*n = (size_t)(s - b);
	return b;
}
