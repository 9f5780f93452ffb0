/*
 * w_width.c: the display width of UTF-8 text, as a terminal shows it.
 *
 * This file contains a small wcwidth for UTF-8 that does not depend on the
 * locale (no setlocale): East Asian Wide and Fullwidth characters take two
 * columns, combining marks and zero-width characters none, everything else
 * one (East Asian Ambiguous characters count as one, as wcwidth does). The
 * text writer aligns columns with it; the HTML writer shortens chart labels.
 */
#include <stdint.h>
#include <string.h>

#include "report_internal.h"

struct range {
	uint32_t lo, hi;
};

/* Zero width: combining marks, zero-width spaces and joiners, variation selectors. */
static const struct range zero_width[] = {
	{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05C7},
	{0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670}, {0x06D6, 0x06ED},
	{0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF},
	{0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x2028, 0x202E}, {0x2060, 0x2064},
	{0x20D0, 0x20FF}, {0x302A, 0x302F}, {0x3099, 0x309A}, {0xFE00, 0xFE0F},
	{0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF}};

/* East Asian Wide (W) and Fullwidth (F) code points (Unicode 15, EastAsianWidth.txt). */
static const struct range wide[] = {
	{0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
	{0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
	{0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
	{0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
	{0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
	{0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
	{0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
	{0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
	{0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
	{0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
	{0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
	{0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
	{0x17000, 0x18AFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
	{0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
	{0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
	{0x30000, 0x3FFFD}};

static int in_ranges(uint32_t c, const struct range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c > r[mid].hi)
			lo = mid + 1;
		else if (c < r[mid].lo)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

/* Columns a code point takes: 0 combining, 2 wide or fullwidth, else 1. */
int ws_report_cpwidth(uint32_t c)
{
	if (c < 0x300)
		return 1;
	if (in_ranges(c, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
		return 0;
	return in_ranges(c, wide, sizeof(wide) / sizeof(wide[0])) ? 2 : 1;
}

/*
 * Decodes the code point at s; *len gets its byte length (1 for a byte that
 * does not start valid UTF-8, which then reads as U+FFFD).
 */
uint32_t ws_report_utf8_next(const unsigned char *s, size_t *len)
{
	uint32_t c = s[0];
	size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;

	*len = 1;
	if (n == 1)
		return c;
	if (n == 0)
		return 0xFFFD;
	c &= 0x3F >> (n - 1);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0xFFFD;
	*len = n;
	return c;
}

/* Display width of s. */
int ws_report_dwidth(const char *s)
{
	int w = 0;

	for (size_t len; *s; s += len)
		w += ws_report_cpwidth(ws_report_utf8_next((const unsigned char *)s, &len));
	return w;
}

/* Bytes of the longest prefix of s that fits in w columns; *used gets its width. */
size_t ws_report_fit(const char *s, int w, int *used)
{
	size_t i = 0, len;
	int u = 0;

	while (s[i]) {
		int cw = ws_report_cpwidth(ws_report_utf8_next((const unsigned char *)s + i, &len));

		if (u + cw > w)
			break;
		u += cw;
		i += len;
	}
	*used = u;
	return i;
}


/* Cuts a sequence that snprintf may have left unfinished at the end of buf. */
char *ws_report_utf8_trim(char *buf)
{
	size_t n = strlen(buf), k = n;
	unsigned char lead;

	while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80 && n - k < 3)
		k--;
	if (k == 0 || (lead = (unsigned char)buf[k - 1]) < 0xC0)
		return buf;
	/* a lead byte announces 2, 3 or 4 bytes; fewer are left: drop them */
	if (n - (k - 1) < (size_t)(lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2))
		buf[k - 1] = '\0';
	return buf;
}
